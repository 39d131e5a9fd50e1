import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

const counterSource = `
export default async function (input, ctx) {
  const seen = ((await ctx.kv.get("visits:" + input.name)) ?? 0) + 1;
  await ctx.kv.set("visits:" + input.name, seen);
  return { output: { greeting: "Hello " + input.name + ", visit " + seen } };
}`;

const flowWith = (source: string) => ({
  start: "ask",
  nodes: [
    { id: "ask", type: "question", content: { question: "Name?", input_type: "text", variable: "user.name" }, connections: { default: "code" } },
    { id: "code", type: "code", content: { source, inputs: { name: "{{user.name}}" }, outputs: { greeting: "user.greeting" }, grants: ["kv"] }, connections: { default: "say", error: "oops" } },
    { id: "say", type: "message", content: { messages: [{ type: "text", text: "{{user.greeting}}" }] }, connections: { default: "end" } },
    { id: "oops", type: "message", content: { messages: [{ type: "text", text: "Sorry, that did not work." }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ],
});

for (const backend of databaseBackends()) {
  describe(`tenant code in a flow (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"], env: { SANDBOX_WORKERS: "1" } });
    });
    after(async () => node?.cleanup());

    async function tenantWithBot(name: string, source: string) {
      const t = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name } })).body;
      const bot = await node.request("POST", "/v1/admin/bots", { key: t.keys.admin, body: { name: "Coded", flow: flowWith(source) } });
      assert.equal(bot.status, 201, bot.text);
      return { widget: t.keys.widget as string, botId: bot.body.id as string };
    }
    async function converse(widget: string, botId: string, text: string) {
      const id = (await node.request("POST", "/v1/chat/sessions", { key: widget, body: { botId } })).body.sessionId;
      return (await node.request("POST", `/v1/chat/sessions/${id}/messages`, { key: widget, body: { text } })).body.messages.map((m: { text: string }) => m.text);
    }

    it("runs the tenant's code in the sandbox, with its own key-value storage that persists", async () => {
      const acme = await tenantWithBot("Acme", counterSource);
      assert.deepEqual(await converse(acme.widget, acme.botId, "Ada"), ["Hello Ada, visit 1"]);
      assert.deepEqual(await converse(acme.widget, acme.botId, "Ada"), ["Hello Ada, visit 2"]);
      const globex = await tenantWithBot("Globex", counterSource);
      assert.deepEqual(await converse(globex.widget, globex.botId, "Ada"), ["Hello Ada, visit 1"], "another tenant's storage is its own");
    });

    it("sends hostile code down the error path, and the end user sees no stack trace", async () => {
      const loop = await tenantWithBot("Looper", "export default function () { while (true) {} }");
      assert.deepEqual(await converse(loop.widget, loop.botId, "Ada"), ["Sorry, that did not work."]);
      const escape = await tenantWithBot("Escaper", "export default function () { return { output: { greeting: String(this.constructor.constructor('return process')().pid) } }; }");
      assert.deepEqual(await converse(escape.widget, escape.botId, "Ada"), ["Sorry, that did not work."]);
      const healthy = await tenantWithBot("Healthy", counterSource);
      assert.deepEqual(await converse(healthy.widget, healthy.botId, "Bo"), ["Hello Bo, visit 1"], "the host and other tenants carry on");
    });
  });
}
