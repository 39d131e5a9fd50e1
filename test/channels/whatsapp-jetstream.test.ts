import assert from "node:assert/strict";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { PostgresSessionStore } from "../../core/engine/conversations/postgres-session-store.ts";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { testServices, uniqueName } from "../kit/test-services.ts";
import { startFakeGraphApi } from "./fake-graph-api.ts";
import { INBOUND_CHANNEL } from "../../core/engine/inbox/inbound-queue.ts";
import { waitFor } from "../kit/eventually.ts";

const PHONE_ID = "106540352242923";
const secrets = { accessToken: "EAAG-test-access-token-0002", appSecret: "app-secret-for-jetstream", verifyToken: "verify-token-for-jetstream" };

// The clustered mode: webhook events go through a NATS JetStream stream, consumed by any node.
(testServices.natsUrl ? describe : describe.skip)("WhatsApp channel over NATS JetStream (two nodes)", function () {
  this.timeout(90_000);
  let first: TestPlatform;
  let second: TestPlatform;
  let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;

  before(async () => {
    graph = await startFakeGraphApi();
    const namespace = uniqueName("wa");
    // Every node of a cluster shares the master key, or one could not open what another sealed.
    const env = { WHATSAPP_GRAPH_URL: graph.base, SECRETS_KEY: randomBytes(32).toString("base64") };
    first = await startTestPlatform({ backend: testServices.postgresUrl ? "postgres" : "pglite", transporter: testServices.natsUrl, namespace, env: { ...env, NODE_ID: `${namespace}-a` }, pluginFolders: ["plugins", "channels"] });
    const databaseUrl = first.platform.context.config.DATABASE_URL;
    second = databaseUrl ? await startTestPlatform({ databaseUrl, transporter: testServices.natsUrl, namespace, env: { ...env, NODE_ID: `${namespace}-b` }, pluginFolders: ["plugins", "channels"] }) : first;
  });
  after(async () => {
    if (second !== first) await second?.cleanup();
    await first?.cleanup();
    await graph?.close();
  });

  it("acknowledges at once and runs each turn once, whichever node consumes the event", async () => {
    const tenant = (await first.request("POST", "/v1/admin/tenants", { key: first.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
    const bot = await first.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Demo", flow: exampleFlow } });
    assert.equal(bot.status, 201, bot.text);
    const put = await first.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/whatsapp`, { key: tenant.keys.admin, body: { phoneNumberId: PHONE_ID, ...secrets } });
    assert.equal(put.status, 200, put.text);
    const post = (node: TestPlatform, id: string, text: string) => {
      const rawBody = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "W", changes: [{ field: "messages", value: { metadata: { phone_number_id: PHONE_ID }, messages: [{ from: "15557770000", id, type: "text", text: { body: text } }] } }] }] });
      const signature = `sha256=${createHmac("sha256", secrets.appSecret).update(rawBody).digest("hex")}`;
      return node.request("POST", `/v1/channels/whatsapp/${bot.body.id}/webhook`, { rawBody, headers: { "content-type": "application/json", "x-hub-signature-256": signature } });
    };
    assert.equal((await post(first, "wamid.js1", "hi")).status, 200);
    await graph.waitForSends(2, 20_000);
    assert.equal((await post(second, "wamid.js2", "Ada")).status, 200);
    assert.equal((await post(first, "wamid.js2", "Ada")).status, 200); // Meta's redelivery, to the other node
    await graph.waitForSends(3, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(graph.sends.map((s) => s.body.text.body), ["Hi! I'm the demo bot.", "What's your name?", "How old are you, Ada?"]);
  });

  it("opens one session for a new user whose first two messages reach both nodes at once", async () => {
    const tenant = (await first.request("POST", "/v1/admin/tenants", { key: first.operatorKey, body: { name: "Initech", tier: "paid" } })).body;
    const bot = await first.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Demo", flow: exampleFlow } });
    const phoneNumberId = "106540352242924";
    assert.equal((await first.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/whatsapp`, { key: tenant.keys.admin, body: { phoneNumberId, ...secrets } })).status, 200);
    const post = (node: TestPlatform, from: string, id: string, text: string) => {
      const rawBody = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "W", changes: [{ field: "messages", value: { metadata: { phone_number_id: phoneNumberId }, messages: [{ from, id, type: "text", text: { body: text } }] } }] }] });
      const signature = `sha256=${createHmac("sha256", secrets.appSecret).update(rawBody).digest("hex")}`;
      return node.request("POST", `/v1/channels/whatsapp/${bot.body.id}/webhook`, { rawBody, headers: { "content-type": "application/json", "x-hub-signature-256": signature } });
    };
    const users = Array.from({ length: 6 }, (_, i) => `1555888000${i}`);
    const before = graph.sends.length;
    for (const from of users) {
      const acks = await Promise.all([post(first, from, `wamid.race.${from}.1`, "hi"), post(second, from, `wamid.race.${from}.2`, "Ada")]);
      assert.deepEqual(acks.map((a) => a.status), [200, 200]);
    }
    // Each user: the greeting and the name question once, then the answer to the other message.
    await graph.waitForSends(before + users.length * 3, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const from of users) {
      const texts = graph.sends.filter((s) => s.body.to === from).map((s) => s.body.text.body as string);
      assert.equal(texts.filter((t) => t === "Hi! I'm the demo bot.").length, 1, `${from} was greeted twice: ${JSON.stringify(texts)}`);
      assert.equal(texts.length, 3, JSON.stringify(texts));
    }
  });

  it("refuses a second open WhatsApp session for the same user, and only on WhatsApp", async () => {
    const store = new PostgresSessionStore(() => first.platform.context.db.orm.em.fork());
    const tenant = (await first.request("POST", "/v1/admin/tenants", { key: first.operatorKey, body: { name: "Umbrella", tier: "paid" } })).body;
    const bot = (await first.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Demo", flow: exampleFlow } })).body;
    const tenantId = tenant.id as string, botId = bot.id as string;
    // The inbox starts WhatsApp sessions with the channel's declared `oneOpenSessionPerUser`; web sessions carry no such flag.
    const session = (id: string, channel: string) => ({
      id, tenantId, botId, userId: "whatsapp:15550001111", channel, flowVersion: "1", status: "active" as const,
      variables: { user: {}, context: {}, session: {}, temp: {} }, position: { nodeId: null, frames: [] }, revision: 1, createdAt: new Date(), updatedAt: new Date(),
      ...(channel === "whatsapp" ? { oneOpenPerUser: true } : {}),
    });
    const a = randomUUID(), b = randomUUID(), c = randomUUID(), d = randomUUID();
    await store.create(session(a, "whatsapp"));
    await assert.rejects(store.create(session(b, "whatsapp")), { code: "SESSION_ALREADY_OPEN", status: 409 });
    await store.create(session(c, "web"));
    await store.create(session(d, "web"));
    await store.compareAndSet(a, 1, { ...session(a, "whatsapp"), status: "ended", endedAt: new Date() });
    await store.create(session(b, "whatsapp"));
  });

  it("reports the cluster's inbound backlog at /metrics on every node", async () => {
    // An action that holds each job until released stands in for turns that cannot keep up.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    first.platform.broker.createService({ name: "backlogProbe", actions: { hold: () => gate.then(() => true) } });
    // Both nodes consume the stream: both must know the action, or a job would fail its attempts instead of waiting.
    await Promise.all([first, second].map((node) => node.platform.broker.waitForServices(["backlogProbe"])));
    const send = (first.platform.broker as unknown as { sendToChannel(name: string, payload: unknown): Promise<void> }).sendToChannel.bind(first.platform.broker);
    for (let i = 0; i < 12; i++) await send(INBOUND_CHANNEL, { target: "backlogProbe.hold", params: {}, key: `probe-${i}` });
    const depth = async (node: TestPlatform) => {
      const text = (await node.request("GET", "/metrics", { key: node.operatorKey })).text;
      const line = text.split("\n").find((l) => l.startsWith("botplatform_queue_depth{") && l.includes('queue="channel_inbound"'));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
    };
    try {
      await waitFor("the backlog on both nodes", async () => ((await depth(first)) ?? 0) >= 12 && ((await depth(second)) ?? 0) >= 12);
    } finally {
      release();
    }
    await waitFor("the backlog drained", async () => (await depth(second)) === 0);
  });
});
