import assert from "node:assert/strict";
import http from "node:http";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

type Keys = { id: string; keys: { admin: string; widget: string } };

for (const backend of databaseBackends()) {
  describe(`conversations through the chat API (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let acme: Keys;
    let globex: Keys;
    let botId: string;

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true" } });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
      await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Demo", flow: exampleFlow } });
      assert.equal(bot.status, 201, bot.text);
      botId = bot.body.id;
    });
    after(async () => node?.cleanup());

    const start = (key = acme.keys.widget, body: Record<string, unknown> = { botId }) => node.request("POST", "/v1/chat/sessions", { key, body });
    const send = (sessionId: string, body: Record<string, unknown>, key = acme.keys.widget, headers: Record<string, string> = {}) =>
      node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key, body, headers });

    it("runs the example flow: a bad name is asked again, then the age picks the branch", async () => {
      const started = await start();
      assert.equal(started.status, 201);
      assert.deepEqual(started.body.messages.map((m: { text: string }) => m.text), ["Hi! I'm the demo bot.", "What's your name?"]);
      assert.deepEqual(started.body.input, { type: "text" });
      const id = started.body.sessionId;
      assert.deepEqual((await send(id, { text: "1234" })).body.messages, [{ type: "text", text: "Please enter a valid name" }]);
      assert.deepEqual((await send(id, { text: "Ada" })).body.messages, [{ type: "text", text: "How old are you, Ada?" }]);
      const last = await send(id, { text: "16" });
      assert.deepEqual(last.body.messages, [{ type: "text", text: "Ask a grown-up to join you, Ada." }]);
      assert.equal(last.body.status, "ended");
      assert.equal(last.body.input, null);
      const history = await node.request("GET", `/v1/chat/sessions/${id}/history`, { key: acme.keys.widget });
      assert.deepEqual(history.body.messages.map((m: { direction: string }) => m.direction), ["outbound", "outbound", "inbound", "outbound", "inbound", "outbound", "inbound", "outbound"]);
      assert.equal(history.body.messages[2].nodeId, "ask_name");
      const afterEnd = await send(id, { text: "hello?" });
      assert.deepEqual([afterEnd.status, afterEnd.body.error.code], [409, "SESSION_ENDED"]);
    });

    it("refuses a broken flow with 422 naming each problem", async () => {
      const broken = { start: "a", nodes: [
        { id: "a", type: "message", content: { messages: [{ type: "text", text: "{{nowhere.x}}" }] }, connections: { default: "missing" } },
        { id: "b", type: "teleport", content: {} },
        { id: "c", type: "question", content: { question: "?", input_type: "text" } },
      ] };
      const answer = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Broken", flow: broken } });
      assert.equal(answer.status, 422);
      assert.equal(answer.body.error.code, "FLOW_INVALID");
      const nodes = new Set(answer.body.error.details.map((d: { node: string }) => d.node));
      for (const id of ["a", "b", "c"]) assert.ok(nodes.has(id), `a problem names node ${id}: ${JSON.stringify(answer.body.error.details)}`);
      const text = JSON.stringify(answer.body.error.details);
      assert.match(text, /teleport/);
      assert.match(text, /missing/);
      assert.match(text, /nowhere/);
    });

    it("answers another tenant's key with 404 for the session, never its content", async () => {
      const started = await start();
      const id = started.body.sessionId;
      for (const path of [`/v1/chat/sessions/${id}`, `/v1/chat/sessions/${id}/history`]) {
        const other = await node.request("GET", path, { key: globex.keys.widget });
        assert.deepEqual([other.status, other.body.error.code], [404, "SESSION_NOT_FOUND"]);
      }
      const sent = await send(id, { text: "Mallory" }, globex.keys.widget);
      assert.equal(sent.status, 404);
      const foreignBot = await start(globex.keys.widget, { botId });
      assert.deepEqual([foreignBot.status, foreignBot.body.error.code], [404, "BOT_NOT_FOUND"]);
    });

    it("applies two messages racing on one session, both, in order", async () => {
      const id = (await start()).body.sessionId;
      const [first, second] = await Promise.all([send(id, { text: "Ada" }), send(id, { text: "42" })]);
      assert.deepEqual([first.status, second.status], [200, 200]);
      const session = await node.request("GET", `/v1/chat/sessions/${id}`, { key: acme.keys.widget });
      assert.equal(session.body.revision, 3);
      assert.equal(session.body.status, "ended");
      const inbound = (await node.request("GET", `/v1/chat/sessions/${id}/history`, { key: acme.keys.widget })).body.messages.filter((m: { direction: string }) => m.direction === "inbound");
      assert.deepEqual(inbound.map((m: { message: { text: string } }) => m.message.text), ["Ada", "42"]);
    });

    it("keeps a session on the version it started with after a new one is published", async () => {
      const bot = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Versioned", flow: exampleFlow } })).body;
      const old = (await start(acme.keys.widget, { botId: bot.id })).body.sessionId;
      const v2 = structuredClone(exampleFlow);
      v2.nodes[5].content = { messages: [{ type: "text", text: "Version two says hi, {{user.name}}." }] };
      const draft = await node.request("PUT", `/v1/admin/bots/${bot.id}/flow`, { key: acme.keys.admin, body: v2 });
      assert.deepEqual(draft.body.problems, []);
      const published = await node.request("POST", `/v1/admin/bots/${bot.id}/publish`, { key: acme.keys.admin });
      assert.deepEqual([published.status, published.body.version], [201, 2]);
      await send(old, { text: "Ada" });
      assert.equal((await send(old, { text: "10" })).body.messages[0].text, "Ask a grown-up to join you, Ada.");
      const fresh = (await start(acme.keys.widget, { botId: bot.id })).body.sessionId;
      await send(fresh, { text: "Bo" });
      assert.equal((await send(fresh, { text: "10" })).body.messages[0].text, "Version two says hi, Bo.");
      const versions = await node.request("GET", `/v1/admin/bots/${bot.id}/versions`, { key: acme.keys.admin });
      assert.deepEqual(versions.body.versions.map((v: { version: number }) => v.version), [1, 2]);
    });

    it("streams a reply as Server-Sent Events ending with done", async () => {
      const id = (await start()).body.sessionId;
      const response = await fetch(`${node.url}/v1/chat/sessions/${id}/messages`, {
        method: "POST", headers: { "x-api-key": acme.keys.widget, "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify({ text: "Ada" }),
      });
      assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
      const events = (await response.text()).trim().split("\n\n").map((block) => block.split("\n")[0].replace("event: ", ""));
      assert.deepEqual(events, ["typing", "message", "done"]);
    });

    it("stores HTML from the user as text, and refuses a 100 kB message with 413", async () => {
      const id = (await start()).body.sessionId;
      const hostile = "<script>alert(1)</script>";
      const answer = await send(id, { text: hostile });
      assert.equal(answer.status, 200);
      const history = (await node.request("GET", `/v1/chat/sessions/${id}/history`, { key: acme.keys.widget })).body.messages;
      assert.equal(history.find((m: { direction: string }) => m.direction === "inbound").message.text, hostile);
      const huge = await send(id, { text: "x".repeat(100_000) });
      assert.deepEqual([huge.status, huge.body.error.code], [413, "MESSAGE_TOO_LONG"]);
      const neither = await send(id, { text: "a", choice: "b" });
      assert.equal(neither.status, 400);
    });

    it("requires the CSRF token when the browser sends cookies", async () => {
      const started = (await start()).body;
      const without = await send(started.sessionId, { text: "Ada" }, acme.keys.widget, { cookie: "a=b" });
      assert.deepEqual([without.status, without.body.error.code], [403, "CSRF_TOKEN_INVALID"]);
      const withToken = await send(started.sessionId, { text: "Ada" }, acme.keys.widget, { cookie: "a=b", "x-csrf-token": started.csrfToken });
      assert.equal(withToken.status, 200);
    });

    it("answers the simple POST /chat form with response and ctas, keeping the session by its id", async () => {
      const first = await node.request("POST", "/chat", { key: acme.keys.widget, body: { business_id: botId, session_id: "visitor-1", message: "Ada" } });
      assert.equal(first.status, 200, first.text);
      assert.match(first.body.response, /How old are you, Ada\?/);
      assert.ok(Array.isArray(first.body.ctas));
      const second = await node.request("POST", "/chat", { key: acme.keys.widget, body: { business_id: botId, session_id: "visitor-1", message: "30" } });
      assert.equal(second.body.response, "Welcome aboard, Ada.");
    });

    it("calls a webhook with a tenant secret filled in at the edge, and never stores the secret", async () => {
      const seen: { auth?: string; body: string }[] = [];
      const receiver = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
          seen.push({ auth: req.headers.authorization, body });
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ plan: { name: "Gold" } }));
        });
      });
      await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
      try {
        const port = (receiver.address() as { port: number }).port;
        assert.equal((await node.request("PUT", "/v1/admin/secrets/crm_token", { key: acme.keys.admin, body: { value: "s3cr3t-value", allowedHosts: ["127.0.0.1"] } })).status, 200);
        const listed = await node.request("GET", "/v1/admin/secrets", { key: acme.keys.admin });
        assert.deepEqual(listed.body.secrets.map((s: { name: string }) => s.name), ["crm_token"]);
        assert.ok(!listed.text.includes("s3cr3t"));
        const flow = { start: "ask", nodes: [
          { id: "ask", type: "question", content: { question: "Email?", input_type: "email", variable: "user.email" }, connections: { default: "call" } },
          { id: "call", type: "webhook", content: { url: `http://127.0.0.1:${port}/leads`, headers: { Authorization: "Bearer {{secret:crm_token}}" }, body: { email: "{{user.email}}" }, response_mapping: [{ variable: "user.plan", path: "$.plan.name" }] }, connections: { success: "done", error: "done" } },
          { id: "done", type: "message", content: { messages: [{ type: "text", text: "Plan: {{user.plan}}" }] }, connections: { default: "end" } },
          { id: "end", type: "end", content: {} },
        ] };
        const bot = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Hooked", flow } })).body;
        const id = (await start(acme.keys.widget, { botId: bot.id })).body.sessionId;
        const reply = await send(id, { text: "ada@example.com" });
        assert.deepEqual(reply.body.messages, [{ type: "text", text: "Plan: Gold" }]);
        assert.deepEqual(seen, [{ auth: "Bearer s3cr3t-value", body: JSON.stringify({ email: "ada@example.com" }) }]);
        const history = await node.request("GET", `/v1/chat/sessions/${id}/history`, { key: acme.keys.widget });
        const state = await node.platform.context.db.orm.em.fork().getConnection().execute("select variables, position from conversation_session where id = ?", [id]);
        assert.ok(!history.text.includes("s3cr3t") && !JSON.stringify(state).includes("s3cr3t"));
        const other = await node.request("GET", "/v1/admin/secrets", { key: globex.keys.admin });
        assert.deepEqual(other.body.secrets, []);
      } finally {
        receiver.close();
      }
    });

    it("ends sessions idle past the tenant's TTL", async () => {
      const id = (await start()).body.sessionId;
      const sql = node.platform.context.db.orm.em.fork().getConnection();
      await sql.execute("update conversation_session set updated_at = now() - interval '8 days' where id = ?", [id]);
      const { startSessionSweeper } = await import("../../core/engine/conversations/session-sweeper.ts");
      const sweeper = startSessionSweeper(() => node.platform.context.db.orm.em.fork(), node.platform.context.logger, 3_600_000);
      await sweeper.sweep();
      sweeper.stop();
      assert.equal((await node.request("GET", `/v1/chat/sessions/${id}`, { key: acme.keys.widget })).body.status, "ended");
    });

    it("deletes history past each tenant's retention, and only that tenant's", async () => {
      const globexBot = (await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Other", flow: exampleFlow } })).body;
      const short = (await start()).body.sessionId;
      const kept = (await start(globex.keys.widget, { botId: globexBot.id })).body.sessionId;
      assert.equal((await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { retentionDays: 1 } } })).status, 200);
      const sql = node.platform.context.db.orm.em.fork().getConnection();
      await sql.execute("update conversation_message set at = now() - interval '2 days' where session_id in (?, ?)", [short, kept]);
      const { startSessionSweeper } = await import("../../core/engine/conversations/session-sweeper.ts");
      const sweeper = startSessionSweeper(() => node.platform.context.db.orm.em.fork(), node.platform.context.logger, 3_600_000);
      await sweeper.sweep();
      sweeper.stop();
      const count = async (id: string) => (await sql.execute<{ n: number }[]>("select count(*)::int as n from conversation_message where session_id = ?", [id]))[0]!.n;
      assert.equal(await count(short), 0, "Acme keeps a day of history");
      assert.ok(await count(kept) > 0, "Globex keeps the default 90 days");
      await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { retentionDays: 90 } } });
    });
  });
}

describe("conversation limits", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { QUOTA_FREE_MESSAGES_PER_MONTH: "6" } });
  });
  after(async () => node?.cleanup());

  it("holds an end user to five messages a minute, then 429 with Retry-After", async () => {
    const t = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Limited", tier: "paid" } })).body;
    const bot = (await node.request("POST", "/v1/admin/bots", { key: t.keys.admin, body: { name: "B", flow: exampleFlow } })).body;
    const id = (await node.request("POST", "/v1/chat/sessions", { key: t.keys.widget, body: { botId: bot.id } })).body.sessionId;
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await node.request("POST", `/v1/chat/sessions/${id}/messages`, { key: t.keys.widget, body: { text: "1" } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  });

  it("answers 429 MONTHLY_QUOTA_EXHAUSTED once a free tenant's month is spent", async () => {
    const t = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Thrifty" } })).body;
    const bot = (await node.request("POST", "/v1/admin/bots", { key: t.keys.admin, body: { name: "B", flow: exampleFlow } })).body;
    const codes = [];
    let starts = 0;
    for (let i = 0; i < 4; i++) {
      const s = (await node.request("POST", "/v1/chat/sessions", { key: t.keys.widget, body: { botId: bot.id, userId: `u${i}` } }));
      const id = s.body.sessionId;
      if (!id) {
        codes.push(s.body.error.code);
        continue;
      }
      starts++;
      for (let j = 0; j < 2; j++) {
        const r = await node.request("POST", `/v1/chat/sessions/${id}/messages`, { key: t.keys.widget, body: { text: "1" } });
        codes.push(r.status === 200 ? "ok" : r.body.error.code);
      }
    }
    assert.ok(codes.includes("MONTHLY_QUOTA_EXHAUSTED"), JSON.stringify(codes));
    // A session start counts as one message: six in all, whatever the mix.
    assert.equal(codes.filter((c) => c === "ok").length + starts, 6);
  });
});
