import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { testServices, uniqueName } from "../kit/test-services.ts";
import { waitFor } from "../kit/eventually.ts";
import { startFakeGraphApi } from "../channels/fake-graph-api.ts";
import { startFakeOpenAi } from "../ai/fakes/openai.fake.ts";
import type { FakeVendor } from "../ai/fakes/fake-vendor.ts";

/**
 * What a business on WhatsApp must never see when a dependency blinks: an acknowledged message
 * lost, a turn run twice, a reply sent twice. Each case runs on the embedded in-process queue, and
 * on NATS JetStream when TEST_NATS_URL is set. The retry schedule is shortened for the tests
 * (INBOUND_RETRY_DELAYS_MS); the defaults wait 1 s, 5 s, 30 s, 2 min, then 10 min.
 */
const PHONE_ID = "106540352249999";
const secrets = { accessToken: "EAAG-chaos-access-token-0001", appSecret: "app-secret-for-chaos", verifyToken: "verify-token-for-chaos" };
const modes = [{ name: "embedded queue", transporter: undefined as string | undefined }, ...(testServices.natsUrl ? [{ name: "NATS JetStream", transporter: testServices.natsUrl }] : [])];

type Tenant = { id: string; keys: { admin: string } };

/** A counter's value for WhatsApp in the node's /metrics (0 when absent). */
async function whatsappCounter(node: TestPlatform, name: string): Promise<number> {
  const text = (await node.request("GET", "/metrics", { key: node.operatorKey })).text;
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes('channel="whatsapp"'));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** A database that cannot be reached: the statement is refused the way the driver refuses it. */
function refuse(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
}

for (const mode of modes) {
  describe(`Inbound messages survive failures (${mode.name})`, function () {
    this.timeout(30_000);
    let node: TestPlatform;
    let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;
    let openai: FakeVendor;
    let tenant: Tenant;
    let seq = 0;
    // Statements matching `failing.pattern` fail while `failing.left` > 0 (-1: until told otherwise).
    const failing = { pattern: /^$/, left: 0, seen: [] as number[] };
    // How long the fake model takes to answer (read at each request).
    const model = { delayMs: 0 };

    before(async function () {
      // Starting a node takes seconds, many more on a busy machine; the cases themselves stay under 30 s.
      this.timeout(180_000);
      graph = await startFakeGraphApi();
      openai = await startFakeOpenAi(model);
      node = await startTestPlatform({
        pluginFolders: ["plugins", "channels"], transporter: mode.transporter, namespace: uniqueName("chaos"),
        env: {
          WHATSAPP_GRAPH_URL: graph.base, SECRETS_KEY: randomBytes(32).toString("base64"),
          INBOUND_RETRY_DELAYS_MS: "100,200,400", INBOUND_MAX_ATTEMPTS: "8",
          OPENAI_API_KEY: "sk-chaos", OPENAI_BASE_URL: `${openai.url}/v1`,
          // No reuse of identical questions' answers: a second model call would be hidden by it.
          AI_ANSWER_CACHE_SECONDS: "0",
        },
      });
      tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      // The one connection every statement goes through: a statement can be made to fail as if the server were gone.
      const connection = node.platform.context.db.orm.em.getConnection();
      const execute = connection.execute.bind(connection);
      connection.execute = ((query: string, ...rest: unknown[]) => {
        if (failing.left !== 0 && typeof query === "string" && failing.pattern.test(query)) {
          failing.seen.push(Date.now());
          if (failing.left > 0) failing.left--;
          return Promise.reject(refuse());
        }
        return (execute as (...args: unknown[]) => unknown)(query, ...rest);
      }) as typeof connection.execute;
    });
    after(async () => {
      await node?.cleanup();
      await graph?.close();
      await openai?.close();
    });
    afterEach(() => {
      failing.left = 0;
      failing.seen = [];
    });

    async function botWith(flow: unknown): Promise<string> {
      const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: `Bot ${++seq}`, flow } });
      assert.equal(bot.status, 201, bot.text);
      const put = await node.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/whatsapp`, { key: tenant.keys.admin, body: { phoneNumberId: PHONE_ID, ...secrets } });
      assert.equal(put.status, 200, put.text);
      return bot.body.id;
    }
    const payload = (from: string, id: string, text: string) => ({
      object: "whatsapp_business_account",
      entry: [{ id: "WABA", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: PHONE_ID }, messages: [{ from, id, timestamp: "1700000000", type: "text", text: { body: text } }] } }] }],
    });
    /** Meta's webhook call, signed with the app secret. */
    function post(botId: string, from: string, id: string, text: string) {
      const rawBody = JSON.stringify(payload(from, id, text));
      const signature = `sha256=${createHmac("sha256", secrets.appSecret).update(rawBody).digest("hex")}`;
      return node.request("POST", `/v1/channels/whatsapp/${botId}/webhook`, { rawBody, headers: { "content-type": "application/json", "x-hub-signature-256": signature } });
    }
    const textsTo = (to: string) => graph.sends.filter((s) => s.body.to === to).map((s) => (s.body.text?.body ?? s.body.interactive?.body?.text) as string);
    const deadLetters = async () => (await node.request("GET", "/v1/admin/dead-letters", { key: tenant.keys.admin })).body.deadLetters as { id: string; code: string; reason: string; attempts: number; status: string; channel: string }[];

    it("runs a message exactly once after the database refused its first five attempts, with waits growing between them", async () => {
      const botId = await botWith(exampleFlow);
      failing.pattern = /insert into channel_message/;
      failing.left = 5;
      assert.equal((await post(botId, "15550000001", "wamid.chaos.outage", "hi")).status, 200);
      await waitFor("the greeting after the outage", () => textsTo("15550000001").length >= 2, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(textsTo("15550000001"), ["Hi! I'm the demo bot.", "What's your name?"]);
      assert.equal(failing.seen.length, 5);
      // The schedule 100, 200, 400, 400 ms between the five refusals: not five tries in a blink.
      const gaps = failing.seen.slice(1).map((t, i) => t - failing.seen[i]!);
      assert.ok(gaps.every((gap, i) => gap >= [100, 200, 400, 400][i]! - 20), `gaps ${JSON.stringify(gaps)}`);
      assert.deepEqual(await deadLetters(), []);
    });

    it("keeps a message that fails every attempt as a dead letter with its reason, and replays it once the cause is fixed", async () => {
      const botId = await botWith(exampleFlow);
      failing.pattern = /insert into channel_message/;
      failing.left = -1;
      assert.equal((await post(botId, "15550000002", "wamid.chaos.poison", "hi")).status, 200);
      let dead: Awaited<ReturnType<typeof deadLetters>> = [];
      await waitFor("the dead letter", async () => (dead = await deadLetters()).length === 1, 15_000);
      assert.equal(dead[0]!.code, "ECONNREFUSED");
      assert.match(dead[0]!.reason, /ECONNREFUSED.*after 8 attempts/);
      assert.equal(dead[0]!.attempts, 8);
      assert.equal(dead[0]!.channel, "whatsapp");
      assert.deepEqual(textsTo("15550000002"), []);
      assert.ok(await whatsappCounter(node, "botplatform_channel_dead_letters_total") >= 1);

      failing.left = 0; // the database is back
      const replay = await node.request("POST", `/v1/admin/dead-letters/${dead[0]!.id}/replay`, { key: tenant.keys.admin });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.body.replayed[0].status, "replayed");
      await waitFor("the greeting after the replay", () => textsTo("15550000002").length >= 2, 10_000);
      // Replaying again (every letter, or this one) finds the message answered and sends nothing more.
      await node.request("POST", `/v1/admin/dead-letters/${dead[0]!.id}/replay`, { key: tenant.keys.admin });
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.deepEqual(textsTo("15550000002"), ["Hi! I'm the demo bot.", "What's your name?"]);
    });

    it("makes a message whose channel was removed a dead letter at once, and answers it after the channel is connected again", async () => {
      const botId = await botWith(exampleFlow);
      assert.equal((await node.request("DELETE", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: tenant.keys.admin })).status, 204);
      // What the webhook route queues (it checked the signature before the channel was removed).
      await node.platform.broker.call("channelConfig.enqueue", { target: "channelConfig.processInbound", key: `${botId}:15550000003`, params: { channel: "whatsapp", botId, payload: payload("15550000003", "wamid.chaos.removed", "hi") } });
      let dead: Awaited<ReturnType<typeof deadLetters>> = [];
      await waitFor("the dead letter", async () => (dead = (await deadLetters()).filter((d) => d.code === "CHANNEL_NOT_CONFIGURED")).length === 1, 10_000);
      assert.equal(dead[0]!.attempts, 1);
      assert.match(dead[0]!.reason, /not found/);
      // Another tenant sees none of it.
      const other = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body as Tenant;
      assert.deepEqual((await node.request("GET", "/v1/admin/dead-letters", { key: other.keys.admin })).body.deadLetters, []);
      assert.equal((await node.request("POST", `/v1/admin/dead-letters/${dead[0]!.id}/replay`, { key: other.keys.admin })).status, 404);

      assert.equal((await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: tenant.keys.admin, body: { phoneNumberId: PHONE_ID, ...secrets } })).status, 200);
      const replay = await node.request("POST", "/v1/admin/dead-letters/replay", { key: tenant.keys.admin });
      assert.equal(replay.status, 200, replay.text);
      assert.ok(replay.body.replayed.some((d: { id: string }) => d.id === dead[0]!.id));
      await waitFor("the greeting after the replay", () => textsTo("15550000003").length >= 2, 10_000);
      assert.deepEqual(textsTo("15550000003"), ["Hi! I'm the demo bot.", "What's your name?"]);
    });

    it("holds a 20-second turn's message and calls the model once, though Meta redelivers it meanwhile", async function () {
      this.timeout(40_000);
      const before = openai.requests.length;
      const botId = await botWith({ start: "think", nodes: [
        { id: "think", type: "llm", content: { prompt: "Greet the user", reply: true }, connections: { default: "done" } },
        { id: "done", type: "end", content: {} },
      ] });
      openai.script = () => ({ text: "Hello after a long think." });
      model.delayMs = 20_000;
      const started = Date.now();
      assert.equal((await post(botId, "15550000004", "wamid.chaos.slow", "hi")).status, 200);
      // Meta sends the same event again while the turn runs (past the broker's 15 s request timeout too).
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal((await post(botId, "15550000004", "wamid.chaos.slow", "hi")).status, 200);
      await waitFor("the slow reply", () => textsTo("15550000004").length >= 1, 30_000);
      assert.ok(Date.now() - started >= 19_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(openai.requests.length - before, 1, "one model call for the turn");
      assert.deepEqual(textsTo("15550000004"), ["Hello after a long think."]);
      model.delayMs = 0;
    });

    it("calls the model once for a turn run again because its commit failed after the model answered", async () => {
      const botId = await botWith({ start: "ask", nodes: [
        { id: "ask", type: "question", content: { question: "Topic?", input_type: "text", variable: "session.topic" }, connections: { default: "think" } },
        { id: "think", type: "llm", content: { prompt: "One line about {{session.topic}}", reply: true }, connections: { default: "done" } },
        { id: "done", type: "end", content: {} },
      ] });
      openai.script = () => ({ text: "Otters hold hands." });
      assert.equal((await post(botId, "15550000007", "wamid.chaos.commit1", "hi")).status, 200);
      await waitFor("the question", () => textsTo("15550000007").length >= 1, 10_000);
      const before = openai.requests.length;
      // The turn's compare-and-set of the session is refused once: the database went away after the model answered.
      failing.pattern = /update conversation_session set status/;
      failing.left = 1;
      assert.equal((await post(botId, "15550000007", "wamid.chaos.commit2", "otters")).status, 200);
      await waitFor("the model's line", () => textsTo("15550000007").length >= 2, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(failing.seen.length, 1, "the first run's commit was refused");
      assert.equal(openai.requests.length - before, 1, "one model call for the node's turn");
      assert.deepEqual(textsTo("15550000007"), ["Topic?", "Otters hold hands."]);
    });

    it("sends a reply once when the Graph API takes it and drops the connection, and records its outcome as unknown", async () => {
      const botId = await botWith(exampleFlow);
      graph.dropAfterAccepting(1);
      const attemptsBefore = graph.attempts.length;
      assert.equal((await post(botId, "15550000005", "wamid.chaos.drop", "hi")).status, 200);
      await waitFor("both messages of the greeting", () => textsTo("15550000005").length >= 2, 10_000);
      // Meta redelivers the webhook: the message was answered, nothing goes out again.
      assert.equal((await post(botId, "15550000005", "wamid.chaos.drop", "hi")).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(textsTo("15550000005"), ["Hi! I'm the demo bot.", "What's your name?"]);
      assert.equal(graph.attempts.length - attemptsBefore, 2, "one request per message: 1 send, not 4");
      const listed = (await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp/messages`, { key: tenant.keys.admin })).body.messages as { direction: string; status: string; error: string | null }[];
      const outbound = listed.filter((m) => m.direction === "outbound");
      assert.deepEqual(outbound.map((m) => m.status).sort(), ["accepted", "unknown"]);
      assert.match(outbound.find((m) => m.status === "unknown")!.error ?? "", /connection broke/);
    });
  });
}

for (const mode of modes) {
  describe(`A reply cut off mid-send is not sent again (${mode.name})`, function () {
    this.timeout(30_000);
    let node: TestPlatform;
    let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;

    before(async function () {
      // Starting a node takes seconds, many more on a busy machine; the cases themselves stay under 30 s.
      this.timeout(180_000);
      graph = await startFakeGraphApi();
      // A turn may take 1 s here: a send the Graph API answers 3 s later is cut off while under way.
      node = await startTestPlatform({
        pluginFolders: ["plugins", "channels"], transporter: mode.transporter, namespace: uniqueName("chaos"),
        env: { WHATSAPP_GRAPH_URL: graph.base, SECRETS_KEY: randomBytes(32).toString("base64"), INBOUND_RETRY_DELAYS_MS: "100,200,400", INBOUND_TURN_TIMEOUT_MS: "1000" },
      });
    });
    after(async () => {
      await node?.cleanup();
      await graph?.close();
    });

    it("marks the reply's outcome unknown on the redelivery instead of sending it twice", async () => {
      const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Initech", tier: "paid" } })).body as Tenant;
      const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Demo", flow: exampleFlow } });
      assert.equal((await node.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/whatsapp`, { key: tenant.keys.admin, body: { phoneNumberId: PHONE_ID, ...secrets } })).status, 200);
      graph.holdNextAnswer(3000);
      const rawBody = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value: { metadata: { phone_number_id: PHONE_ID }, messages: [{ from: "15550000006", id: "wamid.chaos.cut", type: "text", text: { body: "hi" } }] } }] }] });
      const signature = `sha256=${createHmac("sha256", secrets.appSecret).update(rawBody).digest("hex")}`;
      assert.equal((await node.request("POST", `/v1/channels/whatsapp/${bot.body.id}/webhook`, { rawBody, headers: { "content-type": "application/json", "x-hub-signature-256": signature } })).status, 200);
      const inbound = async () => ((await node.request("GET", `/v1/admin/bots/${bot.body.id}/channels/whatsapp/messages`, { key: tenant.keys.admin })).body.messages as { direction: string; status: string; replyState: string | null; error: string | null }[]).find((m) => m.direction === "inbound");
      await waitFor("the message processed with its reply's outcome unknown", async () => (await inbound())?.replyState === "unknown", 10_000);
      // The first send finishes on its own, late; nothing is sent a second time.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const texts = graph.sends.filter((s) => s.body.to === "15550000006").map((s) => s.body.text.body as string);
      assert.deepEqual(texts, ["Hi! I'm the demo bot.", "What's your name?"]);
      assert.equal((await inbound())?.status, "processed");
      assert.match((await inbound())?.error ?? "", /not sent again/);
      assert.equal(await whatsappCounter(node, "botplatform_channel_send_unknown_total"), 2, "both messages of the reply flagged");
    });
  });
}
