import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_ATTEMPTS } from "../../core/modules/subscriptions/delivery-worker.ts";
import { verifySignature } from "../../core/modules/subscriptions/signature.ts";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../kit/webhook-receiver.ts";
import { waitFor } from "../kit/eventually.ts";

type Keys = { id: string; keys: { admin: string; widget: string } };

const tinyFlow = {
  start: "hello",
  nodes: [
    { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Hello!" }] }, connections: { default: "ask" } },
    { id: "ask", type: "question", content: { question: "Your name?", input_type: "text", variable: "user.name" }, connections: { default: "bye" } },
    { id: "bye", type: "end", content: { message: "Bye {{user.name}}" } },
  ],
};

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

for (const backend of databaseBackends()) {
  describe(`webhooks: conversation events delivered to tenant URLs (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let receiver: WebhookReceiver;
    let acme: Keys;
    let globex: Keys;
    let botId: string;
    let globexBotId: string;

    before(async () => {
      receiver = await startWebhookReceiver();
      // A 2 ms retry base: the whole schedule of 8 attempts fits in about 2.5 s.
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true", WEBHOOK_RETRY_BASE_MS: "2" } });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex", tier: "paid" } })).body;
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Tiny", flow: tinyFlow } });
      assert.equal(bot.status, 201, bot.text);
      botId = bot.body.id;
      globexBotId = (await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Tiny", flow: tinyFlow } })).body.id;
    });
    // Each test starts with no webhooks, even after one failed half-way.
    afterEach(async () => {
      for (const tenant of [acme, globex]) {
        const { body } = await node.request("GET", "/v1/admin/webhooks", { key: tenant.keys.admin });
        for (const hook of body.webhooks as { id: string }[]) await node.request("DELETE", `/v1/admin/webhooks/${hook.id}`, { key: tenant.keys.admin });
      }
    });
    after(async () => {
      await node?.cleanup();
      await receiver?.close();
    });

    const subscribe = async (tenant: Keys, body: Record<string, unknown>) => {
      const created = await node.request("POST", "/v1/admin/webhooks", { key: tenant.keys.admin, body });
      assert.equal(created.status, 201, created.text);
      return created.body as { id: string; secret: string; url: string; events: string[]; enabled: boolean };
    };
    const unsubscribe = async (tenant: Keys, id: string) => assert.equal((await node.request("DELETE", `/v1/admin/webhooks/${id}`, { key: tenant.keys.admin })).status, 204);
    const startChat = async (bot = botId, key = acme.keys.widget) => {
      const started = await node.request("POST", "/v1/chat/sessions", { key, body: { botId: bot } });
      assert.equal(started.status, 201, started.text);
      return started.body.sessionId as string;
    };
    const deliveries = async (tenant: Keys, id: string, query = "") => {
      const log = await node.request("GET", `/v1/admin/webhooks/${id}/deliveries${query}`, { key: tenant.keys.admin });
      assert.equal(log.status, 200, log.text);
      return log.body.deliveries as { id: string; event: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null; nextAttemptAt: string | null; deliveredAt: string | null }[];
    };

    it("delivers a conversation's events, signed, to the tenant's URL and to no other tenant's", async () => {
      const all = await subscribe(acme, { url: `${receiver.base}/acme`, events: ["*"] });
      const startedOnly = await subscribe(acme, { url: `${receiver.base}/acme-started`, events: ["conversation.session.started"] });
      const other = await subscribe(globex, { url: `${receiver.base}/globex`, events: ["*"] });
      assert.match(all.secret, /^whsec_[\w-]{40,}$/);
      assert.notEqual(all.secret, startedOnly.secret);

      const sessionId = await startChat();
      const answered = await node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: acme.keys.widget, body: { text: "Ada" } });
      assert.equal(answered.body.status, "ended", answered.text);

      // Deliveries run side by side, so they may arrive in any order: wait for the whole set.
      const expected = {
        "conversation.session.started": 1, "conversation.node.entered": 3, "conversation.message.sent": 3,
        "conversation.message.received": 1, "conversation.session.ended": 1,
      };
      const count = () => {
        const counts: Record<string, number> = {};
        for (const r of receiver.at("/acme")) counts[r.json.event] = (counts[r.json.event] ?? 0) + 1;
        return counts;
      };
      await waitFor("every event of the conversation at the receiver", () => Object.entries(expected).every(([name, n]) => count()[name] === n));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(count(), expected, "each event arrived once, and no other");
      const got = receiver.at("/acme");
      for (const r of got) {
        assert.equal(r.headers["content-type"], "application/json");
        assert.equal(r.headers["x-bot-event"], r.json.event);
        assert.equal(r.headers["x-bot-delivery"], r.json.id);
        assert.ok(verifySignature(all.secret, r.headers["x-bot-timestamp"] as string, r.body, r.headers["x-bot-signature"] as string), "the signature verifies");
        assert.ok(!verifySignature(startedOnly.secret, r.headers["x-bot-timestamp"] as string, r.body, r.headers["x-bot-signature"] as string), "another subscription's secret does not");
        assert.ok(!verifySignature(all.secret, r.headers["x-bot-timestamp"] as string, r.body.replace("}", ',"x":1}'), r.headers["x-bot-signature"] as string), "a changed body does not");
        assert.equal(r.json.data.tenantId, acme.id);
        assert.equal(r.json.data.sessionId, sessionId);
        assert.ok(!Number.isNaN(Date.parse(r.json.createdAt)));
      }
      const received = got.find((r) => r.json.event === "conversation.message.received")!;
      assert.deepEqual(received.json.data.message, { text: "Ada" });
      assert.deepEqual(got.filter((r) => r.json.event === "conversation.message.sent").map((r) => r.json.data.message.text).sort(), ["Bye Ada", "Hello!", "Your name?"]);
      assert.deepEqual(got.filter((r) => r.json.event === "conversation.node.entered").map((r) => r.json.data.nodeId).sort(), ["ask", "bye", "hello"]);

      // The filtered subscription got the start only, exactly once.
      await waitFor("the start at the filtered receiver", () => receiver.at("/acme-started").length > 0);
      assert.deepEqual(receiver.at("/acme-started").map((r) => r.json.event), ["conversation.session.started"]);

      // Globex's subscription saw nothing of Acme's conversation, and its log is empty.
      assert.equal(receiver.at("/globex").length, 0);
      assert.deepEqual(await deliveries(globex, other.id), []);
      // Acme's log shows every delivery, delivered, at the first attempt, newest first.
      const log = await waitFor("the log to record every delivery", async () => {
        const rows = await deliveries(acme, all.id);
        return rows.every((d) => d.status === "delivered") && rows;
      });
      assert.deepEqual(log.map((d) => d.id).sort(), got.map((r) => r.json.id).sort());
      assert.ok(log.every((d) => d.attempts === 1 && d.lastStatusCode === 200 && d.deliveredAt !== null && d.lastError === null), JSON.stringify(log));
      assert.equal(log.at(-1)!.event, "conversation.session.started");

      // Globex's own conversation reaches Globex's receiver only.
      const before = receiver.at("/acme").length;
      await startChat(globexBotId, globex.keys.widget);
      await waitFor("globex's start", () => receiver.at("/globex").some((r) => r.json.event === "conversation.session.started"));
      assert.ok(receiver.at("/globex").every((r) => r.json.data.tenantId === globex.id));
      assert.equal(receiver.at("/acme").length, before);

      for (const id of [all.id, startedOnly.id]) await unsubscribe(acme, id);
      await unsubscribe(globex, other.id);
    });

    it("retries a receiver that answers 500 twice, and the log shows the third attempt delivered", async () => {
      const flaky = await subscribe(acme, { url: `${receiver.base}/flaky`, events: ["conversation.session.started"] });
      receiver.plans.set("/flaky", [500, 500]);
      await startChat();
      const [delivery] = await waitFor("the delivery to be delivered", async () => {
        const log = await deliveries(acme, flaky.id);
        return log[0]?.status === "delivered" && log;
      });
      assert.equal(delivery!.attempts, 3);
      assert.equal(delivery!.lastStatusCode, 200);
      assert.equal(delivery!.lastError, null);
      const hits = receiver.at("/flaky");
      assert.equal(hits.length, 3);
      assert.deepEqual(hits.map((h) => h.headers["x-bot-delivery"]), [delivery!.id, delivery!.id, delivery!.id]);
      assert.deepEqual(hits.map((h) => h.headers["x-bot-attempt"]), ["1", "2", "3"]);
      assert.ok(hits.every((h) => verifySignature(flaky.secret, h.headers["x-bot-timestamp"] as string, h.body, h.headers["x-bot-signature"] as string)));

      // Redelivery sends it once more, with the same id.
      const again = await node.request("POST", `/v1/admin/webhooks/${flaky.id}/deliveries/${delivery!.id}/redeliver`, { key: acme.keys.admin });
      assert.equal(again.status, 202, again.text);
      assert.equal(again.body.status, "pending");
      await waitFor("the redelivery", () => receiver.at("/flaky").length === 4);
      assert.equal(receiver.at("/flaky")[3]!.headers["x-bot-delivery"], delivery!.id);
      await waitFor("the redelivery to be logged", async () => (await deliveries(acme, flaky.id))[0]?.status === "delivered");
      await unsubscribe(acme, flaky.id);
    });

    it("keeps a delivery to a receiver that is down pending, then fails it after the last attempt", async () => {
      const down = await subscribe(acme, { url: `http://127.0.0.1:${await closedPort()}/hook`, events: ["conversation.session.started"] });
      await startChat();
      const pending = await waitFor("a failed attempt awaiting its retry", async () => {
        const [d] = await deliveries(acme, down.id);
        return d?.status === "pending" && d.attempts >= 1 && d.lastError !== null && d;
      });
      assert.match(pending.lastError!, /FETCH_FAILED/);
      assert.equal(pending.lastStatusCode, null);
      assert.ok(pending.nextAttemptAt);
      const failed = await waitFor("the delivery to fail", async () => {
        const [d] = await deliveries(acme, down.id, "?status=failed");
        return d;
      });
      assert.equal(failed.attempts, MAX_ATTEMPTS);
      assert.equal(failed.nextAttemptAt, null);
      assert.match(failed.lastError!, /ECONNREFUSED|FETCH_FAILED/);
      assert.deepEqual(await deliveries(acme, down.id, "?status=pending"), []);
      await unsubscribe(acme, down.id);
    });

    it("never shows the signing secret after creation", async () => {
      const hook = await subscribe(acme, { url: `${receiver.base}/quiet`, events: ["conversation.handoff.requested"], enabled: false });
      assert.equal(hook.enabled, false);
      const reads = [
        await node.request("GET", "/v1/admin/webhooks", { key: acme.keys.admin }),
        await node.request("GET", `/v1/admin/webhooks/${hook.id}`, { key: acme.keys.admin }),
        await node.request("PATCH", `/v1/admin/webhooks/${hook.id}`, { key: acme.keys.admin, body: { enabled: true, events: ["conversation.handoff.requested", "conversation.session.ended"] } }),
        await node.request("GET", `/v1/admin/webhooks/${hook.id}/deliveries`, { key: acme.keys.admin }),
      ];
      for (const read of reads) {
        assert.equal(read.status, 200, read.text);
        assert.ok(!read.text.includes(hook.secret), "the secret is not in the answer");
        assert.ok(!read.text.includes("secret"), `no secret field: ${read.text}`);
      }
      assert.deepEqual(reads[0]!.body.webhooks.map((w: { id: string }) => w.id), [hook.id]);
      assert.deepEqual(reads[2]!.body.events, ["conversation.handoff.requested", "conversation.session.ended"]);
      assert.equal(reads[2]!.body.enabled, true);
      await unsubscribe(acme, hook.id);
    });

    it("answers 404 for another tenant's webhook and its deliveries", async () => {
      const hook = await subscribe(acme, { url: `${receiver.base}/private`, events: ["*"] });
      const fakeDelivery = crypto.randomUUID();
      const calls: [string, string, unknown?][] = [
        ["GET", `/v1/admin/webhooks/${hook.id}`],
        ["PATCH", `/v1/admin/webhooks/${hook.id}`, { enabled: false }],
        ["DELETE", `/v1/admin/webhooks/${hook.id}`],
        ["GET", `/v1/admin/webhooks/${hook.id}/deliveries`],
        ["POST", `/v1/admin/webhooks/${hook.id}/deliveries/${fakeDelivery}/redeliver`],
      ];
      for (const [method, path, body] of calls) {
        const answer = await node.request(method, path, { key: globex.keys.admin, body });
        assert.deepEqual([answer.status, answer.body?.error?.code], [404, "WEBHOOK_NOT_FOUND"], `${method} ${path}`);
      }
      assert.equal((await node.request("GET", "/v1/admin/webhooks", { key: globex.keys.admin })).body.webhooks.length, 0);
      const mine = await node.request("GET", `/v1/admin/webhooks/${hook.id}`, { key: acme.keys.admin });
      assert.equal(mine.body.enabled, true, "untouched by globex");
      const missing = await node.request("POST", `/v1/admin/webhooks/${hook.id}/deliveries/${fakeDelivery}/redeliver`, { key: acme.keys.admin });
      assert.deepEqual([missing.status, missing.body.error.code], [404, "DELIVERY_NOT_FOUND"]);
      await unsubscribe(acme, hook.id);
      assert.equal((await node.request("GET", `/v1/admin/webhooks/${hook.id}`, { key: acme.keys.admin })).status, 404);
    });

    it("refuses unknown events, bad URLs and keys that are not a tenant admin's", async () => {
      const post = (body: unknown, key = acme.keys.admin) => node.request("POST", "/v1/admin/webhooks", { key, body });
      const unknown = await post({ url: `${receiver.base}/x`, events: ["conversation.session.started", "conversation.teleported"] });
      assert.deepEqual([unknown.status, unknown.body.error.code], [400, "WEBHOOK_UNKNOWN_EVENT"]);
      assert.match(unknown.body.error.message, /conversation\.teleported/);
      assert.deepEqual(unknown.body.error.details.unknown, ["conversation.teleported"]);
      for (const url of ["ftp://example.com/hook", "not a url", "http://user:pw@example.com/"]) {
        const bad = await post({ url, events: ["*"] });
        assert.equal(bad.status, 400, `${url}: ${bad.text}`);
      }
      assert.equal((await post({ url: `${receiver.base}/x`, events: [] })).status, 400);
      assert.equal((await post({ url: `${receiver.base}/x`, events: ["*"], secret: "mine" })).status, 400);
      assert.equal((await post({ url: `${receiver.base}/x`, events: ["*"] }, acme.keys.widget)).status, 403);
      assert.equal((await post({ url: `${receiver.base}/x`, events: ["*"] }, "")).status, 401);
      const patch = await node.request("PATCH", `/v1/admin/webhooks/${crypto.randomUUID()}`, { key: acme.keys.admin, body: { events: ["nope"] } });
      assert.equal(patch.status, 404);
      assert.equal((await node.request("GET", "/v1/admin/webhooks", { key: acme.keys.admin })).body.webhooks.length, 0);
    });
  });
}

describe("webhooks: two nodes share one outbox (postgres)", function () {
  this.timeout(60_000);
  let first: TestPlatform;
  let second: TestPlatform;
  let receiver: WebhookReceiver;

  before(async function () {
    if (!databaseBackends().includes("postgres")) return this.skip();
    receiver = await startWebhookReceiver();
    // Both nodes must open the same sealed signing secrets.
    const env = { ALLOW_PRIVATE_NETWORKS: "true", WEBHOOK_RETRY_BASE_MS: "2", SECRETS_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64") };
    first = await startTestPlatform({ backend: "postgres", pluginFolders: ["plugins"], env });
    second = await startTestPlatform({ databaseUrl: first.platform.context.config.DATABASE_URL, pluginFolders: ["plugins"], env });
  });
  after(async () => {
    await second?.stop();
    await first?.cleanup();
    await receiver?.close();
  });

  it("sends each of many due deliveries exactly once", async () => {
    const tenant: Keys = (await first.request("POST", "/v1/admin/tenants", { key: first.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
    const hook = await first.request("POST", "/v1/admin/webhooks", { key: tenant.keys.admin, body: { url: `${receiver.base}/shared`, events: ["*"] } });
    assert.equal(hook.status, 201, hook.text);
    // 300 deliveries due at once, written behind both workers' backs: they find them by polling, together.
    await first.platform.context.db.orm.em.fork().getConnection().execute(
      `insert into event_delivery (id, subscription_id, tenant_id, event, payload, status, attempts, next_attempt_at, created_at)
       select gen_random_uuid(), ?, ?, 'conversation.session.started', jsonb_build_object('n', g), 'pending', 0, now(), now() from generate_series(1, 300) g`,
      [hook.body.id, tenant.id],
    );
    await waitFor("every delivery to arrive", () => receiver.at("/shared").length >= 300, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    const ids = receiver.at("/shared").map((r) => r.json.id);
    assert.equal(ids.length, 300);
    assert.equal(new Set(ids).size, 300, "no delivery was sent twice");
    assert.ok(receiver.at("/shared").every((r) => verifySignature(hook.body.secret, r.headers["x-bot-timestamp"] as string, r.body, r.headers["x-bot-signature"] as string)));
    const delivered = await waitFor("the log to agree", async () => {
      const rows = (await second.request("GET", `/v1/admin/webhooks/${hook.body.id}/deliveries?status=delivered&limit=200`, { key: tenant.keys.admin })).body.deliveries as { attempts: number }[];
      return rows.length === 200 && rows;
    });
    assert.ok(delivered.every((d) => d.attempts === 1));
  });
});
