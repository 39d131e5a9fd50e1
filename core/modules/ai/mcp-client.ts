/**
 * Tools from MCP servers. A tenant's servers are reached over Streamable HTTP (`url`, optional
 * headers whose `{{secret:name}}` are filled just before the connection opens and never kept);
 * stdio servers the operator allowed through a pool (mcp-stdio-pool.ts); the platform's tool
 * plugins through the broker (kernel/plugin-host/mcp-plugin-transport.ts). Each server's tools are offered to the
 * model as `<server>__<tool>`; a tool that fails answers with the failure as its result.
 */
import { lookup } from "node:dns/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { TransientError } from "../../sdk/platform-error.ts";
import { isBlockedAddress } from "../../kernel/net/ip-policy.ts";
import { DEPTH_HEADER, outboundDepthHeader } from "../../kernel/net/request-depth.ts";
import type { LlmTool } from "../../sdk/llm-provider.ts";
import { AiErrorCode } from "./ai-errors.ts";

/** `readOnly`: the server says the tool changes nothing (MCP `readOnlyHint`); the agent may call it without asking. */
export type McpTool = LlmTool & { server: string; tool: string; readOnly: boolean };

/** What a tool answered: its text for the model, and its structured content when it gave one. */
export type McpCallResult = { ok: boolean; text: string; structured?: Record<string, unknown> };

/** A call's result as the session pool sees it: `sessionLost` when the server no longer knows the session (it ran nothing). */
export type McpSessionCallResult = McpCallResult & { sessionLost?: boolean };

export type McpConnection = {
  server: string;
  tools: McpTool[];
  /** `meta` travels as the request's `_meta` (the session a platform tool acts for); never from the model. */
  call(tool: string, args: Record<string, unknown>, timeoutMs: number, meta?: Record<string, unknown>): Promise<McpSessionCallResult>;
  close(): Promise<void>;
};

/** fetch that refuses private and loopback addresses unless the platform allows them (SSRF). */
export function guardedFetch(allowPrivateNetworks: boolean): typeof fetch {
  return async (input, init) => {
    if (!allowPrivateNetworks) {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const host = url.hostname.replace(/^\[|\]$/g, "");
      const addresses = await lookup(host, { all: true }).catch(() => []);
      if (addresses.length === 0 || addresses.some((a) => isBlockedAddress(a.address))) {
        throw new TransientError(AiErrorCode.mcpServerBlocked, `MCP server ${url.host} is not reachable from the platform`, { status: 502 });
      }
    }
    // Marked as the platform's own at call time, so a pooled session carries the current depth.
    const headers = new Headers(init?.headers);
    headers.set(DEPTH_HEADER, outboundDepthHeader()[DEPTH_HEADER]!);
    return fetch(input, { ...init, headers });
  };
}

export function httpTransport(url: string, headers: Record<string, string>, allowPrivateNetworks: boolean): Transport {
  return new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: guardedFetch(allowPrivateNetworks) });
}

/** How long closing waits for a Streamable HTTP server to acknowledge the end of the session. */
const GOODBYE_MS = 2000;

const toolName = (server: string, tool: string) => `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return JSON.stringify(content ?? "");
  return content.map((c: { type?: string; text?: string }) => (c.type === "text" ? c.text ?? "" : `[${c.type ?? "content"}]`)).join("\n");
}

/**
 * Connects, lists the tools (only `only` when given) and keeps the session open until `close`.
 * `onClose` hears the session end from either side (a stdio server that exited).
 */
export async function connectMcp(server: string, transport: Transport, only: readonly string[] | undefined, timeoutMs: number, onClose?: () => void): Promise<McpConnection> {
  const client = new Client({ name: "bot-platform", version: "1.0.0" });
  if (onClose) client.onclose = onClose;
  await client.connect(transport, { timeout: timeoutMs });
  try {
    const listed = await client.listTools(undefined, { timeout: timeoutMs });
    const tools = listed.tools
      .filter((t) => !only || only.includes(t.name))
      .map((t) => ({ name: toolName(server, t.name), description: (t.description ?? "").slice(0, 2000), parameters: t.inputSchema as Record<string, unknown>, server, tool: t.name, readOnly: t.annotations?.readOnlyHint === true }));
    return {
      server,
      tools,
      async call(tool, args, callTimeoutMs, meta) {
        try {
          const result = await client.callTool({ name: tool, arguments: args, ...(meta ? { _meta: meta } : {}) }, undefined, { timeout: callTimeoutMs });
          const structured = isRecord(result.structuredContent) ? result.structuredContent : undefined;
          const text = structured !== undefined && !Array.isArray(result.content) ? JSON.stringify(structured) : textOf(result.content);
          return { ok: result.isError !== true, text: text.slice(0, 20_000), ...(structured ? { structured } : {}) };
        } catch (error) {
          // Streamable HTTP answers 404 to a session the server forgot (it restarted): the spec's "initialize again".
          const sessionLost = error instanceof StreamableHTTPError && error.code === 404;
          return { ok: false, text: `The tool failed: ${error instanceof Error ? error.message.slice(0, 300) : "unknown error"}`, ...(sessionLost ? { sessionLost } : {}) };
        }
      },
      async close() {
        // Streamable HTTP: say goodbye (DELETE) so the server frees the session now rather than when it expires.
        // Bounded: a server that does not answer must not hold up the node's shutdown.
        if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([transport.terminateSession().catch(() => {}), new Promise((resolve) => { timer = setTimeout(resolve, GOODBYE_MS); })]);
          clearTimeout(timer);
        }
        await client.close();
      },
    };
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
}
