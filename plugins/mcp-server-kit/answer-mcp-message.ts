/**
 * What the platform's MCP tool plugins share (this folder has no index.ts, so it is not a plugin).
 *
 * A tool plugin declares one action, `mcp`: the platform's MCP client (core/ai) sends each
 * JSON-RPC message of a session as one call, and the action answers with what the plugin's
 * McpServer sent back. The server is built afresh for every message (the stateless shape the MCP
 * SDK uses for Streamable HTTP), from the call's context: the tenant the caller named and the
 * bot's configuration for the server. The two ends meet through the SDK's InMemoryTransport pair.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { JSONRPCMessageSchema, isJSONRPCRequest, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { ValidationError, z } from "../../core/sdk/index.ts";

export const mcpActionParams = z.object({ message: z.record(z.string(), z.unknown()) });

/** What the platform passes in a tool call's `_meta`: the conversation it is made for, when there is one. */
export const SESSION_META = "bot-platform/session";
const sessionMeta = z.object({ botId: z.string().optional(), sessionId: z.string().optional(), idempotencyKey: z.string().max(300).optional() });
export type SessionMeta = z.infer<typeof sessionMeta>;

export function sessionOf(meta: Record<string, unknown> | undefined): SessionMeta {
  const parsed = sessionMeta.safeParse(meta?.[SESSION_META]);
  return parsed.success ? parsed.data : {};
}

/** Passes one JSON-RPC message to a fresh server and returns what it answered. */
export async function answerMcpMessage(server: McpServer, message: unknown, timeoutMs = 60_000): Promise<{ messages: JSONRPCMessage[] }> {
  const parsed = JSONRPCMessageSchema.safeParse(message);
  if (!parsed.success) throw new ValidationError("MCP_MESSAGE_INVALID", "Not a JSON-RPC message");
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  const messages: JSONRPCMessage[] = [];
  const request = isJSONRPCRequest(parsed.data) ? parsed.data : undefined;
  let timer: NodeJS.Timeout | undefined;
  const answered = new Promise<void>((resolve) => {
    client.onmessage = (reply) => {
      messages.push(reply);
      if (request && "id" in reply && reply.id === request.id && !("method" in reply)) resolve();
    };
    timer = setTimeout(resolve, request ? timeoutMs : 0);
  });
  try {
    await server.connect(serverSide);
    await client.start();
    await client.send(parsed.data);
    await answered;
  } finally {
    clearTimeout(timer);
    await server.close().catch(() => {});
  }
  return { messages };
}

/** A tool's failure as the model should read it (MCP tools answer failures, they do not throw). */
export function toolFailure(text: string) {
  return { isError: true, content: [{ type: "text" as const, text }] };
}
