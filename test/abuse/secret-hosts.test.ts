import assert from "node:assert/strict";
import http from "node:http";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };
type ConversationEvent = { type: string; data: Record<string, unknown> };

/** A conversation's events as the tenant reads them in the inbox; analytics records them just after the turn. */
async function webhookEvents(node: TestPlatform, tenant: Tenant, sessionId: string): Promise<ConversationEvent[]> {
  for (let i = 0; i < 50; i++) {
    const answer = await node.request("GET", `/v1/admin/conversations/${sessionId}`, { key: tenant.keys.admin });
    assert.equal(answer.status, 200, answer.text);
    const events = (answer.body.events as ConversationEvent[]).filter((e) => e.type === "webhook.called");
    if (events.length > 0) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

async function startWithHook(node: TestPlatform, tenant: Tenant, webhook: Record<string, unknown>): Promise<{ text: string; sessionId: string }> {
  const flow = { start: "call", nodes: [
    { id: "call", type: "webhook", content: webhook, connections: { success: "ok", error: "failed" } },
    { id: "ok", type: "message", content: { messages: [{ type: "text", text: "sent" }] }, connections: { default: "end" } },
    { id: "failed", type: "message", content: { messages: [{ type: "text", text: "not sent" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ] };
  const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Hook", flow } });
  assert.equal(bot.status, 201, bot.text);
  const started = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: bot.body.id } });
  assert.equal(started.status, 201, started.text);
  return { text: started.text, sessionId: started.body.sessionId ?? started.body.id };
}

describe("secrets go only in headers and bodies, to hosts allowed for them (issue 14, item 4)", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let acme: Tenant;
  const seen: { url: string; authorization: string }[] = [];
  let receiver: http.Server;
  let port = 0;

  before(async () => {
    receiver = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization ?? "" });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    port = (receiver.address() as { port: number }).port;
    node = await startTestPlatform({ env: { ALLOW_PRIVATE_NETWORKS: "true" } });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } })).body;
  });
  after(async () => {
    await node?.cleanup();
    receiver?.close();
  });
  beforeEach(() => { seen.length = 0; });

  it("refuses a secret in a URL query, sends nothing, and tells the tenant why in the conversation's events", async () => {
    assert.equal((await node.request("PUT", "/v1/admin/secrets/crm_token", { key: acme.keys.admin, body: { value: "tok-in-url-123", allowedHosts: ["127.0.0.1"] } })).status, 200);
    const { text, sessionId } = await startWithHook(node, acme, { url: `http://127.0.0.1:${port}/steal?t={{secret:crm_token}}`, body: {} });
    assert.match(text, /not sent/);
    assert.equal(seen.length, 0, "nothing left the platform");
    const [event] = await webhookEvents(node, acme, sessionId);
    assert.equal(event?.data.code, "SECRET_IN_URL");
    assert.match(String(event?.data.reason), /headers and bodies/);
  });

  it("refuses a secret in a header to a host the tenant did not allow, naming the host; allowing it lets the call through", async () => {
    assert.equal((await node.request("PUT", "/v1/admin/secrets/crm_token", { key: acme.keys.admin, body: { value: "tok-header-456", allowedHosts: ["api.example.com", "*.crm.example"] } })).status, 200);
    const hook = { url: `http://127.0.0.1:${port}/hook`, headers: { Authorization: "Bearer {{secret:crm_token}}" }, body: {} };
    const refused = await startWithHook(node, acme, hook);
    assert.match(refused.text, /not sent/);
    assert.equal(seen.length, 0, "nothing left the platform");
    const [event] = await webhookEvents(node, acme, refused.sessionId);
    assert.equal(event?.data.code, "SECRET_HOST_NOT_ALLOWED");
    assert.match(String(event?.data.reason), /127\.0\.0\.1/);

    const allowed = await node.request("PATCH", "/v1/admin/secrets/crm_token", { key: acme.keys.admin, body: { allowedHosts: ["127.0.0.1", "api.example.com"] } });
    assert.equal(allowed.status, 200, allowed.text);
    assert.deepEqual(allowed.body.allowedHosts, ["127.0.0.1", "api.example.com"]);
    assert.match((await startWithHook(node, acme, hook)).text, /"sent"|sent/);
    assert.deepEqual(seen.map((request) => request.authorization), ["Bearer tok-header-456"]);
  });

  it("keeps the hosts through a rotation, lists them (never the value), and a new secret without hosts goes nowhere", async () => {
    assert.equal((await node.request("PUT", "/v1/admin/secrets/crm_token", { key: acme.keys.admin, body: { value: "tok-rotated-789" } })).status, 200);
    const listed = await node.request("GET", "/v1/admin/secrets", { key: acme.keys.admin });
    const crm = (listed.body.secrets as { name: string; allowedHosts: string[] }[]).find((s) => s.name === "crm_token");
    assert.deepEqual(crm?.allowedHosts, ["127.0.0.1", "api.example.com"]);
    assert.ok(!listed.text.includes("tok-rotated-789"));

    assert.equal((await node.request("PUT", "/v1/admin/secrets/fresh_token", { key: acme.keys.admin, body: { value: "fresh-000" } })).status, 200);
    const fresh = await startWithHook(node, acme, { url: `http://127.0.0.1:${port}/hook`, headers: { Authorization: "Bearer {{secret:fresh_token}}" }, body: {} });
    assert.match(fresh.text, /not sent/);
    assert.equal(seen.length, 0, "nothing left the platform");
  });

  it("answers 400 for a host that is not a host name, and 404 for a secret that does not exist", async () => {
    for (const bad of ["https://api.example.com", "api.example.com/path", "api.example.com:443", "*", "a b"]) {
      const answer = await node.request("PATCH", "/v1/admin/secrets/crm_token", { key: acme.keys.admin, body: { allowedHosts: [bad] } });
      assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
      assert.ok(answer.body.error?.code, answer.text);
    }
    const missing = await node.request("PATCH", "/v1/admin/secrets/nope", { key: acme.keys.admin, body: { allowedHosts: ["api.example.com"] } });
    assert.equal(missing.status, 404, missing.text);
  });
});

describe("a webhook node refused by the SSRF guard tells the tenant why (issue 14, item 11)", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let acme: Tenant;
  before(async () => {
    node = await startTestPlatform();
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } })).body;
  });
  after(async () => node?.cleanup());

  it("puts the refusal's reason in the conversation's events, not only in the server log", async () => {
    const { text, sessionId } = await startWithHook(node, acme, { url: "http://169.254.169.254/latest/meta-data/", method: "GET", retries: 0 });
    assert.match(text, /not sent/);
    const [event] = await webhookEvents(node, acme, sessionId);
    assert.equal(event?.data.code, "SSRF_BLOCKED");
    assert.match(String(event?.data.reason), /169\.254\.169\.254/);
  });
});
