import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { everythingEntry, startEverythingHttp } from "./mcp-everything.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

/** Sets two numbers, asks the tool for their sum, and says what it answered (or why it could not). */
function sumFlow(tool: Record<string, unknown>) {
  return {
    start: "numbers",
    nodes: [
      { id: "numbers", type: "action", content: { actions: [{ op: "set", variable: "user.a", value: 2 }, { op: "set", variable: "user.b", value: 3 }] }, connections: { default: "sum" } },
      { id: "sum", type: "tool", content: tool, connections: { default: "said", error: "failed" } },
      { id: "said", type: "message", content: { messages: [{ type: "text", text: "Tool says: {{user.sum}}" }] }, connections: { default: "bye" } },
      { id: "failed", type: "message", content: { messages: [{ type: "text", text: "No sum today." }] }, connections: { default: "bye" } },
      { id: "bye", type: "end", content: {} },
    ],
  };
}
const getSum = { tool: "mcp:calc/get-sum", arguments: { a: "{{user.a}}", b: "{{user.b}}" }, output: "user.sum" };
const texts = (body: { messages: { text?: string }[] }) => body.messages.map((m) => m.text);

for (const backend of databaseBackends()) {
  describe(`the tool node calls MCP tools from a flow (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let everything: { url: string; stop(): Promise<void> };
    let acme: Tenant;
    let globex: Tenant;

    before(async () => {
      everything = await startEverythingHttp();
      node = await startTestPlatform({
        backend, pluginFolders: ["plugins"], env: {
          ALLOW_PRIVATE_NETWORKS: "true",
          // The operator allows one stdio server, by name; tenants never see or give the command line.
          MCP_STDIO_COMMANDS: JSON.stringify({ everything: { command: process.execPath, args: [everythingEntry, "stdio"], env: { SHOP_REGION: "eu" } } }),
        },
      });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex", tier: "paid" } })).body;
    });
    after(async () => {
      await node?.cleanup();
      await everything?.stop();
    });

    async function bot(tenant: Tenant, flow: unknown, mcpServers: unknown[]): Promise<string> {
      const created = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Calculator", flow, config: { ai: { mcpServers } } } });
      assert.equal(created.status, 201, created.text);
      return created.body.id;
    }
    const start = (tenant: Tenant, botId: string) => node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });

    it("adds two session numbers with server-everything's get-sum over stdio, and records the call", async () => {
      const botId = await bot(acme, sumFlow(getSum), [{ name: "calc", command: "everything" }]);
      const session = await start(acme, botId);
      assert.equal(session.status, 201, session.text);
      assert.deepEqual(texts(session.body), ["Tool says: The sum of 2 and 3 is 5."]);
      const calls = (await node.request("GET", "/v1/admin/usage/tool-calls", { key: acme.keys.admin })).body.toolCalls;
      assert.equal(calls[0].tool, "mcp:calc/get-sum");
      assert.equal(calls[0].outcome, "ok");
      assert.equal(calls[0].sessionId, session.body.sessionId);
      assert.equal((await node.request("GET", "/v1/admin/usage/tool-calls", { key: globex.keys.admin })).body.toolCalls.length, 0, "another tenant sees none of it");
    });

    it("adds the same numbers with get-sum over Streamable HTTP", async () => {
      const botId = await bot(acme, sumFlow(getSum), [{ name: "calc", url: everything.url }]);
      const session = await start(acme, botId);
      assert.deepEqual(texts(session.body), ["Tool says: The sum of 2 and 3 is 5."]);
    });

    it("answers a retried call with the same idempotency key from the first call, without calling again", async () => {
      const botId = await bot(globex, sumFlow(getSum), [{ name: "calc", command: "everything" }]);
      const sessionId = crypto.randomUUID();
      const call = () => node.platform.broker.call<any, object>("ai.callTool", { tenantId: globex.id, botId, sessionId, tool: "mcp:calc/get-sum", arguments: { a: 40, b: 2 }, idempotencyKey: `${sessionId}:sum:7` });
      const before = (await node.request("GET", "/v1/admin/usage/tool-calls", { key: globex.keys.admin })).body.toolCalls.length;
      const first = await call();
      const again = await call();
      assert.equal(first.text, "The sum of 40 and 2 is 42.");
      assert.deepEqual({ ...again, replayed: undefined }, { ...first, replayed: undefined });
      assert.equal(again.replayed, true);
      const after = (await node.request("GET", "/v1/admin/usage/tool-calls", { key: globex.keys.admin })).body.toolCalls.length;
      assert.equal(after - before, 1, `one call made and recorded (${before} then ${after})`);
    });

    it("stores a tool's structured content as an object the next nodes can read", async () => {
      const flow = sumFlow({ tool: "mcp:calc/get-structured-content", arguments: { location: "Chicago" }, output: "user.weather" });
      (flow.nodes[2]!.content as any).messages[0].text = "{{user.weather.conditions}}, {{user.weather.temperature}} degrees";
      const botId = await bot(acme, flow, [{ name: "calc", command: "everything" }]);
      const said = texts((await start(acme, botId)).body)[0]!;
      assert.match(said, /^\S.*, -?\d+ degrees$/);
    });

    it("takes the error connection with a readable reason when the tool refuses its arguments or the server is gone", async () => {
      const flow = sumFlow({ ...getSum, arguments: { a: "two", b: "{{user.b}}" } });
      flow.nodes[3]!.content = { messages: [{ type: "text", text: "No sum: {{session.tool_error}}" }] };
      const refused = await start(acme, await bot(acme, flow, [{ name: "calc", command: "everything" }]));
      assert.match(texts(refused.body)[0]!, /^No sum: .*(number|Invalid|invalid)/);

      const gone = await start(acme, await bot(acme, flow, [{ name: "calc", url: "http://127.0.0.1:9/mcp" }]));
      assert.match(texts(gone.body)[0]!, /^No sum: The MCP server calc could not be reached/);
      const calls = (await node.request("GET", "/v1/admin/usage/tool-calls", { key: acme.keys.admin })).body.toolCalls;
      assert.deepEqual(calls.slice(0, 2).map((c: { outcome: string }) => c.outcome), ["error", "error"]);
    });

    it("runs the operator's command with a minimal environment: its own variables, none of the platform's", async () => {
      process.env.BP_PLATFORM_ONLY_SECRET = "must-not-leak";
      try {
        const flow = sumFlow({ tool: "mcp:calc/get-env", arguments: {}, output: "user.sum" });
        const botId = await bot(globex, flow, [{ name: "calc", command: "everything" }]);
        const said = texts((await start(globex, botId)).body)[0]!;
        assert.match(said, /SHOP_REGION/);
        assert.doesNotMatch(said, /BP_PLATFORM_ONLY_SECRET|must-not-leak/);
      } finally {
        delete process.env.BP_PLATFORM_ONLY_SECRET;
      }
    });

    it("answers 400 naming the field when a bot names a stdio command the operator did not allow", async () => {
      const refused = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Sneaky", flow: sumFlow(getSum), config: { ai: { mcpServers: [{ name: "calc", command: "bash" }] } } } });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.error.code, "VALIDATION_FAILED");
      assert.match(refused.body.error.message, /mcpServers\.0\.command/);
      assert.match(refused.body.error.message, /allowed: everything/);
      const both = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Both", flow: sumFlow(getSum), config: { ai: { mcpServers: [{ name: "calc", command: "everything", url: everything.url }] } } } });
      assert.equal(both.status, 400);
      assert.match(both.body.error.message, /exactly one of url, command or plugin/);
    });

    it("refuses a flow whose tool node names a tool the wrong way, or has no error connection", async () => {
      const misnamed = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Broken", flow: sumFlow({ ...getSum, tool: "calc.get-sum" }) } });
      assert.equal(misnamed.status, 422, misnamed.text);
      assert.ok(misnamed.body.error.details.some((d: { node: string; problem: string }) => d.node === "sum" && /mcp:<server>\/<tool>/.test(d.problem)), misnamed.text);
      const flow = sumFlow(getSum);
      flow.nodes[1]!.connections = { default: "said" };
      const unguarded = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Broken", flow } });
      assert.equal(unguarded.status, 422, unguarded.text);
      assert.ok(unguarded.body.error.details.some((d: { node: string; problem: string }) => d.node === "sum" && /error` connection/.test(d.problem)), unguarded.text);
    });
  });
}
