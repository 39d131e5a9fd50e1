import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_ATTEMPTS } from "../../core/modules/subscriptions/delivery-worker.ts";
import { verifySignature } from "../../core/modules/subscriptions/signature.ts";
import { sealedFor } from "../../core/kernel/secrets/secret-box.ts";
import { Webhook } from "standardwebhooks";
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
      return created.body as { id: string; secret: string; url: string; events: string[]; enabled: boolean; legacySignature: boolean };
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
      return log.body.deliveries as {
        id: string; event: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null; nextAttemptAt: string | null;
        deliveredAt: string | null; signature: { scheme: string; notice: string | null } | null;
      }[];
    };
    const rotate = async (tenant: Keys, id: string, body?: Record<string, unknown>) => {
      const rotated = await node.request("POST", `/v1/admin/webhooks/${id}/rotate-secret`, { key: tenant.keys.admin, body });
      assert.equal(rotated.status, 200, rotated.text);
      return rotated.body as { id: string; secret: string; legacySignature: boolean; overlapEndsAt: string | null };
    };
    const webhook = async (tenant: Keys, id: string) => (await node.request("GET", `/v1/admin/webhooks/${id}`, { key: tenant.keys.admin })).body as { legacySignature: boolean; overlapEndsAt: string | null };
    const sql = (query: string, params: unknown[]) => node.platform.context.db.orm.em.fork().getConnection().execute(query, params, "run");
    /** The rotation's overlap is over: moved into the past here rather than waited for. */
    const endOverlap = (id: string) => sql(`update event_subscription set previous_secret_expires_at = now() - interval '1 second' where id = ?`, [id]);
    const nth = (path: string, n: number) => waitFor(`delivery ${n + 1} at ${path}`, () => receiver.at(path)[n]);

    it("delivers a conversation's events, signed, to the tenant's URL and to no other tenant's", async () => {
      const all = await subscribe(acme, { url: `${receiver.base}/acme`, events: ["*"] });
      const startedOnly = await subscribe(acme, { url: `${receiver.base}/acme-started`, events: ["conversation.session.started"] });
      const other = await subscribe(globex, { url: `${receiver.base}/globex`, events: ["*"] });
      assert.match(all.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, "a whsec_ secret of 32 base64 bytes, as Standard Webhooks has them");
      assert.notEqual(all.secret, startedOnly.secret);
      assert.equal(all.legacySignature, false);
      // The receiver checks every delivery with the standardwebhooks library, and answers 401 unless one secret verifies.
      receiver.verifyAt("/acme", { mine: new Webhook(all.secret), another: new Webhook(startedOnly.secret) });

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
        assert.equal(r.headers["webhook-id"], r.json.id);
        assert.match(String(r.headers["webhook-timestamp"]), /^\d{10}$/);
        assert.match(String(r.headers["webhook-signature"]), /^v1,[A-Za-z0-9+/]{43}=$/, "one signature: one secret signs");
        assert.deepEqual(r.verdicts, { mine: true, another: false }, "the subscription's secret verifies, another's does not");
        assert.throws(() => new Webhook(all.secret).verify(r.body.replace("}", ',"x":1}'), r.headers as Record<string, string>), /No matching signature/, "a changed body does not");
        assert.equal(r.headers["x-bot-signature"], undefined, "no legacy header for a webhook made with a standard secret");
        assert.deepEqual([r.json.type, r.json.timestamp], [r.json.event, r.json.createdAt], "the standard's payload fields");
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
      assert.deepEqual(hits.map((h) => h.headers["webhook-id"]), [delivery!.id, delivery!.id, delivery!.id], "the same webhook-id on every retry");
      assert.deepEqual(hits.map((h) => h.headers["x-bot-attempt"]), ["1", "2", "3"]);
      assert.ok(hits.every((h) => new Webhook(flaky.secret).verify(h.body, h.headers as Record<string, string>)));

      // Redelivery sends it once more, with the same id.
      const again = await node.request("POST", `/v1/admin/webhooks/${flaky.id}/deliveries/${delivery!.id}/redeliver`, { key: acme.keys.admin });
      assert.equal(again.status, 202, again.text);
      assert.equal(again.body.status, "pending");
      await waitFor("the redelivery", () => receiver.at("/flaky").length === 4);
      assert.equal(receiver.at("/flaky")[3]!.headers["webhook-id"], delivery!.id);
      await waitFor("the redelivery to be logged", async () => (await deliveries(acme, flaky.id))[0]?.status === "delivered");
      await unsubscribe(acme, flaky.id);
    });

    it("rotates the signing secret: receivers holding the old or the new one both verify during the overlap, only the new one after it", async () => {
      const hook = await subscribe(acme, { url: `${receiver.base}/rotating`, events: ["conversation.session.started"] });
      const rotated = await rotate(acme, hook.id, { overlapSeconds: 3600 });
      assert.match(rotated.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.notEqual(rotated.secret, hook.secret);
      assert.ok(Math.abs(Date.parse(rotated.overlapEndsAt!) - (Date.now() + 3_600_000)) < 60_000, `the overlap ends in an hour: ${rotated.overlapEndsAt}`);
      const read = await node.request("GET", `/v1/admin/webhooks/${hook.id}`, { key: acme.keys.admin });
      assert.ok(!read.text.includes(rotated.secret) && !read.text.includes(hook.secret), "neither secret is shown again");
      assert.equal(read.body.overlapEndsAt, rotated.overlapEndsAt);

      receiver.verifyAt("/rotating", { old: new Webhook(hook.secret), new: new Webhook(rotated.secret) });
      await startChat();
      const during = await nth("/rotating", 0);
      assert.deepEqual(during.verdicts, { old: true, new: true }, "both receivers verify during the overlap");
      assert.equal(String(during.headers["webhook-signature"]).split(" ").length, 2, "two v1 signatures, space separated");

      await endOverlap(hook.id);
      assert.equal((await webhook(acme, hook.id)).overlapEndsAt, null);
      await startChat();
      const after = await nth("/rotating", 1);
      assert.deepEqual(after.verdicts, { old: false, new: true }, "after the overlap only the new secret verifies");
      assert.equal(String(after.headers["webhook-signature"]).split(" ").length, 1);

      // overlapSeconds 0 retires the old secret at once; no body means a day's overlap.
      const sudden = await rotate(acme, hook.id, { overlapSeconds: 0 });
      assert.equal(sudden.overlapEndsAt, null);
      receiver.verifyAt("/rotating", { old: new Webhook(rotated.secret), new: new Webhook(sudden.secret) });
      await startChat();
      assert.deepEqual((await nth("/rotating", 2)).verdicts, { old: false, new: true });
      const byDefault = await rotate(acme, hook.id);
      assert.ok(Math.abs(Date.parse(byDefault.overlapEndsAt!) - (Date.now() + 86_400_000)) < 60_000, `the default overlap is a day: ${byDefault.overlapEndsAt}`);
      const log = await waitFor("the log to record the deliveries", async () => {
        const rows = await deliveries(acme, hook.id);
        return rows.length === 3 && rows.every((d) => d.status === "delivered") && rows;
      });
      assert.ok(log.every((d) => d.signature?.scheme === "standard-webhooks" && d.signature.notice === null), JSON.stringify(log));
    });

    it("keeps a webhook made before Standard Webhooks verifiable: the old header too, a notice in the log, until a rotation's overlap ends", async () => {
      const hook = await subscribe(acme, { url: `${receiver.base}/legacy`, events: ["conversation.session.started"] });
      // A subscription as migration 0020 leaves one made before it: a base64url whsec_ string whose own bytes were the key.
      const legacySecret = `whsec_${randomBytes(32).toString("base64url")}`;
      await sql(`update event_subscription set secret_sealed = ?, secret_format = 'raw' where id = ?`, [node.platform.context.secretBox.seal(legacySecret, sealedFor.webhookSigningSecret(acme.id)), hook.id]);
      assert.equal((await webhook(acme, hook.id)).legacySignature, true);

      receiver.verifyAt("/legacy", { raw: new Webhook(legacySecret, { format: "raw" }) });
      await startChat();
      const first = await nth("/legacy", 0);
      assert.ok(verifySignature(legacySecret, first.headers["x-bot-timestamp"] as string, first.body, first.headers["x-bot-signature"] as string), "the old header verifies as it did");
      assert.equal(first.headers["x-bot-delivery"], first.json.id);
      assert.deepEqual(first.verdicts, { raw: true }, "webhook-signature verifies with the standardwebhooks library, given the old secret as raw");
      const [logged] = await waitFor("the delivery to be logged", async () => {
        const rows = await deliveries(acme, hook.id);
        return rows[0]?.status === "delivered" && rows;
      });
      assert.equal(logged!.signature?.scheme, "standard-webhooks+x-bot-signature");
      assert.match(logged!.signature!.notice!, /format: "raw".*rotate-secret/s, "the log tells the receiver's owner how to move");

      const rotated = await rotate(acme, hook.id, { overlapSeconds: 600 });
      assert.equal(rotated.legacySignature, true, "the old header goes on while the old secret still signs");
      receiver.verifyAt("/legacy", { raw: new Webhook(legacySecret, { format: "raw" }), new: new Webhook(rotated.secret) });
      await startChat();
      const during = await nth("/legacy", 1);
      assert.deepEqual(during.verdicts, { raw: true, new: true });
      assert.ok(verifySignature(legacySecret, during.headers["x-bot-timestamp"] as string, during.body, during.headers["x-bot-signature"] as string));

      await endOverlap(hook.id);
      assert.equal((await webhook(acme, hook.id)).legacySignature, false);
      await startChat();
      const after = await nth("/legacy", 2);
      assert.deepEqual(after.verdicts, { raw: false, new: true });
      assert.equal(after.headers["x-bot-signature"], undefined, "the old header is gone");
      const newest = await waitFor("the last delivery to be logged", async () => {
        const rows = await deliveries(acme, hook.id);
        return rows.length === 3 && rows[0]!.status === "delivered" && rows[0];
      });
      assert.deepEqual(newest.signature, { scheme: "standard-webhooks", notice: null });
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
        assert.ok(!/"secret"\s*:/.test(read.text), `no secret field: ${read.text}`);
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
        ["POST", `/v1/admin/webhooks/${hook.id}/rotate-secret`],
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
      const hook = await subscribe(acme, { url: `${receiver.base}/x`, events: ["*"] });
      for (const body of [{ overlapSeconds: -1 }, { overlapSeconds: 8 * 86_400 }, { overlapSeconds: 1.5 }, { overlapSeconds: "soon" }, { secret: "mine" }]) {
        const refused = await node.request("POST", `/v1/admin/webhooks/${hook.id}/rotate-secret`, { key: acme.keys.admin, body });
        assert.equal(refused.status, 400, `${JSON.stringify(body)}: ${refused.text}`);
        assert.equal(typeof refused.body.error.code, "string");
      }
      assert.equal((await node.request("POST", `/v1/admin/webhooks/${hook.id}/rotate-secret`, { key: acme.keys.widget })).status, 403);
      await unsubscribe(acme, hook.id);
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
    const verifier = new Webhook(hook.body.secret);
    assert.ok(receiver.at("/shared").every((r) => verifier.verify(r.body, r.headers as Record<string, string>)));
    const delivered = await waitFor("the log to agree", async () => {
      const rows = (await second.request("GET", `/v1/admin/webhooks/${hook.body.id}/deliveries?status=delivered&limit=200`, { key: tenant.keys.admin })).body.deliveries as { attempts: number }[];
      return rows.length === 200 && rows;
    });
    assert.ok(delivered.every((d) => d.attempts === 1));
  });
});
