import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

describe("a bot that calls the platform in a loop is stopped after a few rounds (issue 14, item 15)", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  after(() => node?.cleanup());

  it("refuses the request past LOOP_MAX_DEPTH with 508 LOOP_DETECTED; the first conversation still answers, and another tenant is untouched", async () => {
    node = await startTestPlatform({ env: { ALLOW_PRIVATE_NETWORKS: "true", LOOP_MAX_DEPTH: "3" } });
    const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Loopy" } })).body;
    const bystander = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Bystander" } })).body;
    await node.request("PUT", "/v1/admin/secrets/widget_key", { key: tenant.keys.admin, body: { value: tenant.keys.widget, allowedHosts: ["127.0.0.1"] } });
    const created = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Echo", flow: { start: "end", nodes: [{ id: "end", type: "end", content: {} }] } } });
    const botId = created.body.id;
    // Its first step starts a new session of this same bot through the public API.
    const flow = { start: "call", nodes: [
      { id: "call", type: "webhook", content: { method: "POST", url: `${node.url}/v1/chat/sessions`, headers: { Authorization: "Bearer {{secret:widget_key}}", "content-type": "application/json" }, body: { botId } }, connections: { success: "ok", error: "stopped" } },
      { id: "ok", type: "message", content: { messages: [{ type: "text", text: "went through" }] }, connections: { default: "end" } },
      { id: "stopped", type: "message", content: { messages: [{ type: "text", text: "stopped" }] }, connections: { default: "end" } },
      { id: "end", type: "end", content: {} },
    ] };
    const saved = await node.request("PUT", `/v1/admin/bots/${botId}/flow`, { key: tenant.keys.admin, body: flow });
    assert.ok(saved.status < 300, saved.text);
    const published = await node.request("POST", `/v1/admin/bots/${botId}/publish`, { key: tenant.keys.admin });
    assert.equal(published.status, 201, published.text);

    const first = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });
    assert.equal(first.status, 201, first.text);
    const sessions = await node.platform.context.db.orm.em.fork().getConnection().execute<{ count: string }[]>(`select count(*) as count from conversation_session where bot_id = ?`, [botId]);
    // The user's session and one per allowed hop (depths 1, 2, 3); the fourth hop was refused.
    assert.equal(Number(sessions[0]!.count), 4);

    // Refused in the documented shape, before any work.
    const deep = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId }, headers: { "x-bp-depth": "4" } });
    assert.equal(deep.status, 508, deep.text);
    assert.equal(deep.body.error.code, "LOOP_DETECTED");

    const bystanderBot = await node.request("POST", "/v1/admin/bots", { key: bystander.keys.admin, body: { name: "Calm", flow: { start: "hi", nodes: [{ id: "hi", type: "message", content: { messages: [{ type: "text", text: "hello" }] }, connections: { default: "end" } }, { id: "end", type: "end", content: {} }] } } });
    const calm = await node.request("POST", "/v1/chat/sessions", { key: bystander.keys.widget, body: { botId: bystanderBot.body.id } });
    assert.equal(calm.status, 201, calm.text);
  });
});
