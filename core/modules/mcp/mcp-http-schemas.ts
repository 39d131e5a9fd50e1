/**
 * What the MCP endpoints take and answer, for the OpenAPI document (Streamable HTTP, MCP
 * 2025-06-18): JSON-RPC 2.0 messages in, Server-Sent Events of JSON-RPC messages out, and the
 * JSON-RPC errors the MCP SDK's transport (and mcp.routes.ts before it) answers with an HTTP error
 * status. Loose on purpose: MCP's own schema, not this one, says what a method takes.
 */
import { z } from "zod";

/** One JSON-RPC 2.0 message: a request (`id`, `method`), a notification (`method`) or a response (`id`, `result` or `error`). */
export const jsonRpcMessageSchema = z.looseObject({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.string(), z.number()]).optional().describe("Requests and responses; a notification has none"),
  method: z.string().optional().describe("initialize, tools/list, tools/call, notifications/initialized…"),
  params: z.unknown().optional(),
  result: z.unknown().optional(),
  error: z.unknown().optional(),
}).describe("A JSON-RPC 2.0 message (MCP's schema says what each method takes)");

/** A POST body: one message or a batch. */
export const jsonRpcBodySchema = z.union([jsonRpcMessageSchema, z.array(jsonRpcMessageSchema)]);

/** The error body of a refused HTTP request: JSON-RPC, without an id (the request was not read as one). */
export const jsonRpcErrorSchema = z.looseObject({
  jsonrpc: z.literal("2.0"),
  error: z.looseObject({
    code: z.number().int().describe("-32000 transport refusal, -32001 session not found, -32600 invalid request, -32602 invalid params, -32603 internal, -32700 parse error"),
    message: z.string(),
    data: z.unknown().optional(),
  }),
  id: z.null(),
}).describe("A JSON-RPC error answered with an HTTP error status (MCP Streamable HTTP)");
z.globalRegistry.add(jsonRpcErrorSchema, { id: "JsonRpcError" });

/** RFC 9728 protected-resource metadata: how a client authenticates to an MCP endpoint. */
export const protectedResourceMetadataSchema = z.looseObject({
  resource: z.string().describe("The MCP endpoint's URL"),
  bearer_methods_supported: z.array(z.string()).describe("`header`: a tenant secret key as `Authorization: Bearer sk_…`"),
  resource_name: z.string(),
  resource_documentation: z.string(),
});

export const eventStreamDescription = "Server-Sent Events: each `event: message` carries one JSON-RPC message in `data:` (the answers to the request's calls, and what the server sends meanwhile)";
