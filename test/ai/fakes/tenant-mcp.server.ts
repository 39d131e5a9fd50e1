/**
 * A tenant's own MCP server over Streamable HTTP (stateless: one server per request), built with
 * the MCP SDK's McpServer. It demands a bearer token and records the Authorization headers it saw.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export async function startTenantMcp(token: string): Promise<{ url: string; authorizations: string[]; close(): Promise<void> }> {
  const authorizations: string[] = [];
  const server = http.createServer(async (req, res) => {
    authorizations.push(String(req.headers.authorization ?? ""));
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    const mcp = new McpServer({ name: "orders", version: "1.0.0" });
    mcp.registerTool("lookup_order", { description: "Status of an order", inputSchema: { orderId: z.string() }, annotations: { readOnlyHint: true } }, async ({ orderId }) => ({
      content: [{ type: "text", text: `Order ${orderId}: shipped on Monday` }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => { void transport.close(); void mcp.close(); });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    authorizations,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
