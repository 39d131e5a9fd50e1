import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ServiceBroker } from "moleculer";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { createMcpConnector } from "../../core/modules/ai/mcp-servers.ts";
import { createMcpSessionPool, type McpSessionPool } from "../../core/modules/ai/mcp-session-pool.ts";
import { waitFor } from "../kit/eventually.ts";

/** A tenant's MCP server over Streamable HTTP that counts the sessions opened and closed with it. */
async function startCountingServer() {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const seen = { initialize: 0, closed: 0, authorizations: [] as string[] };
  const http: Server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) : undefined;
    const id = req.headers["mcp-session-id"];
    if (typeof id === "string") {
      const transport = transports.get(id);
      if (!transport) return res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }));
      return transport.handleRequest(req, res, body);
    }
    if (body?.method !== "initialize") return res.writeHead(400).end();
    seen.initialize++;
    seen.authorizations.push(String(req.headers.authorization));
    const server = new McpServer({ name: "counting", version: "1.0.0" });
    server.registerTool("echo", { description: "Echoes", inputSchema: { text: z.string() } }, async ({ text: said }) => ({ content: [{ type: "text", text: `echo: ${said}` }] }));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => { transports.set(sessionId, transport); },
      onsessionclosed: (sessionId) => { seen.closed++; transports.delete(sessionId); },
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    seen,
    /** As a restarted server would: every session is unknown from now on. */
    forgetSessions: () => transports.clear(),
    close: () => new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }),
  };
}

describe("the MCP client keeps sessions with a tenant's servers between calls", function () {
  this.timeout(30_000);
  let server: Awaited<ReturnType<typeof startCountingServer>>;
  let pool: McpSessionPool;
  const broker = new ServiceBroker({ logger: false });

  beforeEach(async () => {
    server = await startCountingServer();
  });
  afterEach(async () => {
    await pool?.close();
    await server.close();
  });

  function connector(idleMs: number) {
    pool = createMcpSessionPool({ idleMs });
    return createMcpConnector({ broker, resolveSecrets: async (_tenant, template) => template, allowPrivateNetworks: true, timeoutMs: 5000, pool });
  }
  async function echo(mcp: ReturnType<typeof connector>, tenantId: string, text: string, headers: Record<string, string> = { authorization: "Bearer tenant-token" }) {
    const connection = await mcp.open({ tenantId, botId: "bot" }, { name: "counting", url: server.url, headers }, ["echo"]);
    try {
      return await connection.call("echo", { text }, 5000);
    } finally {
      await connection.close();
    }
  }

  it("makes two calls on one session, and opens another only for other credentials or another tenant", async () => {
    const mcp = connector(60_000);
    assert.deepEqual(await echo(mcp, "acme", "one"), { ok: true, text: "echo: one" });
    assert.deepEqual(await echo(mcp, "acme", "two"), { ok: true, text: "echo: two" });
    assert.equal(server.seen.initialize, 1, "one initialize for two calls");
    await echo(mcp, "acme", "three", { authorization: "Bearer another-token" });
    await echo(mcp, "globex", "four");
    assert.equal(server.seen.initialize, 3);
    assert.deepEqual(server.seen.authorizations, ["Bearer tenant-token", "Bearer another-token", "Bearer tenant-token"]);
    assert.equal(pool.size(), 3);
  });

  it("closes a session left idle (the server hears it end), and opens a new one for the next call", async () => {
    const mcp = connector(200);
    await echo(mcp, "acme", "one");
    await waitFor("the idle session to close", () => pool.size() === 0 && server.seen.closed === 1);
    assert.deepEqual(await echo(mcp, "acme", "two"), { ok: true, text: "echo: two" });
    assert.equal(server.seen.initialize, 2);
  });

  it("opens a new session when the server forgot the old one, and the call is made on it", async () => {
    const mcp = connector(60_000);
    await echo(mcp, "acme", "one");
    server.forgetSessions();
    assert.deepEqual(await echo(mcp, "acme", "two"), { ok: true, text: "echo: two" });
    assert.equal(server.seen.initialize, 2);
  });

  it("closes every session when the node stops, and opens none afterwards", async () => {
    const mcp = connector(60_000);
    await echo(mcp, "acme", "one");
    await echo(mcp, "globex", "two");
    await pool.close();
    await waitFor("both sessions to close", () => server.seen.closed === 2);
    await assert.rejects(echo(mcp, "acme", "three"), (error: { code?: string }) => error.code === "MCP_POOL_CLOSED");
  });
});
