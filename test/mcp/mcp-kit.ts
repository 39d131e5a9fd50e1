import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { TestPlatform } from "../kit/test-platform.ts";

export type Tenant = { id: string; keys: { admin: string; widget: string } };

/** An outside MCP client (the official SDK's) connected to the platform with a key. */
export async function connectClient(node: TestPlatform, path: string, key: string, headers: Record<string, string> = {}) {
  const client = new Client({ name: "outside-client", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(node.url + path), { requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } } });
  await client.connect(transport);
  return { client, transport };
}

/** The text of a tool result (the SDK types a result as either shape of the protocol's history). */
export const textOf = (result: Record<string, unknown>) => ((result.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");

/** A raw MCP request, for what the SDK client would never send. */
export function mcpPost(node: TestPlatform, path: string, body: string, headers: Record<string, string>) {
  return fetch(node.url + path, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body });
}

export const initializeMessage = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
