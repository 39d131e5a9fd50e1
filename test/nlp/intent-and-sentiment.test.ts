import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { startFakeOpenAi } from "../ai/fakes/openai.fake.ts";
import type { FakeVendor } from "../ai/fakes/fake-vendor.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

/** Asks what the user wants, then routes on the intent of the answer; a user with no intent who sounds upset is calmed first. */
const helpdeskFlow = {
  start: "ask",
  nodes: [
    { id: "ask", type: "question", content: { question: "How can I help?", input_type: "text", variable: "session.said" }, connections: { default: "route" } },
    { id: "route", type: "intent", content: { intents: [{ intent: "order_status", then: "track" }, { intent: "refund", then: "refund" }], none: "mood" } },
    { id: "track", type: "message", content: { messages: [{ type: "text", text: "Let me look up your order (intent {{temp.intent}}, mood {{temp.sentiment}})." }] }, connections: { default: "ask" } },
    { id: "refund", type: "message", content: { messages: [{ type: "text", text: "Refunds reach your card within 5 days (mood {{temp.sentiment}})." }] }, connections: { default: "ask" } },
    { id: "mood", type: "condition", content: { conditions: [{ if: { "<": [{ var: "temp.sentiment" }, -0.2] }, then: "calm" }], else: "fallback" } },
    { id: "calm", type: "message", content: { messages: [{ type: "text", text: "I'm sorry to hear that." }] }, connections: { default: "ask" } },
    { id: "fallback", type: "message", content: { messages: [{ type: "text", text: "Sorry, I did not get that (intent {{temp.intent}})." }] }, connections: { default: "ask" } },
  ],
};

const orderStatus = { name: "order_status", description: "Where an order is", examples: ["where is my order", "track my parcel", "has my package shipped yet", "when will my delivery arrive"] };
const refund = { name: "refund", examples: ["I want my money back", "can I get a refund", "refund my purchase", "return this item for a refund"] };

async function newTenant(node: TestPlatform, name: string): Promise<Tenant> {
  const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name, tier: "paid" } })).body as Tenant;
  await node.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
  return tenant;
}

async function newBot(node: TestPlatform, tenant: Tenant, config: Record<string, unknown> = {}): Promise<string> {
  const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Helpdesk", flow: helpdeskFlow, config } });
  assert.equal(bot.status, 201, bot.text);
  for (const intent of [orderStatus, refund]) {
    const created = await node.request("POST", `/v1/admin/bots/${bot.body.id}/intents`, { key: tenant.keys.admin, body: intent });
    assert.equal(created.status, 201, created.text);
  }
  return bot.body.id;
}

function chat(node: TestPlatform, tenant: Tenant, botId: string) {
  let sessionId = "";
  return {
    async start() {
      const started = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });
      assert.equal(started.status, 201, started.text);
      sessionId = started.body.sessionId;
      return started.body;
    },
    async say(text: string): Promise<{ texts: string[]; status: string }> {
      const reply = await node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: tenant.keys.widget, body: { text } });
      assert.equal(reply.status, 200, reply.text);
      return { texts: reply.body.messages.map((m: { text: string }) => m.text), status: reply.body.status };
    },
    get id() { return sessionId; },
  };
}

describe("intent and sentiment on every message, offline (the offline embedder and lexicon)", function () {
  this.timeout(180_000); // a node boots in about a minute on a loaded 2-core machine
  let node: TestPlatform;
  let acme: Tenant;
  let globex: Tenant;
  let botId: string;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"] });
    acme = await newTenant(node, "Acme");
    globex = await newTenant(node, "Globex");
    botId = await newBot(node, acme);
  });
  after(async () => node?.cleanup());

  it("lists, renames and removes a bot's intents", async () => {
    const listed = await node.request("GET", `/v1/admin/bots/${botId}/intents`, { key: acme.keys.admin });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.intents.map((i: { name: string }) => i.name), ["order_status", "refund"]);
    const extra = await node.request("POST", `/v1/admin/bots/${botId}/intents`, { key: acme.keys.admin, body: { name: "greeting", examples: ["hello", "  hello ", "hi there", ""] } });
    assert.equal(extra.status, 201, extra.text);
    assert.deepEqual(extra.body.examples, ["hello", "hi there"]);
    const renamed = await node.request("PATCH", `/v1/admin/bots/${botId}/intents/${extra.body.id}`, { key: acme.keys.admin, body: { name: "small_talk" } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, "small_talk");
    assert.deepEqual(renamed.body.examples, ["hello", "hi there"]);
    assert.equal((await node.request("GET", `/v1/admin/bots/${botId}/intents/${extra.body.id}`, { key: acme.keys.admin })).body.name, "small_talk");
    assert.equal((await node.request("DELETE", `/v1/admin/bots/${botId}/intents/${extra.body.id}`, { key: acme.keys.admin })).status, 204);
    const gone = await node.request("GET", `/v1/admin/bots/${botId}/intents/${extra.body.id}`, { key: acme.keys.admin });
    assert.deepEqual([gone.status, gone.body.error.code], [404, "INTENT_NOT_FOUND"]);
  });

  it("routes a message by its intent to the right branch, with temp.intent and temp.sentiment in the reply", async () => {
    const conversation = chat(node, acme, botId);
    const started = await conversation.start();
    assert.deepEqual(started.messages.map((m: { text: string }) => m.text), ["How can I help?"]);
    const tracked = await conversation.say("Where is my parcel? I love you guys!");
    assert.match(tracked.texts[0]!, /^Let me look up your order \(intent order_status, mood 0\.\d+\)\.$/);
    assert.ok(Number(/mood (0\.\d+)/.exec(tracked.texts[0]!)![1]) > 0.1, tracked.texts[0]);
    assert.equal(tracked.texts[1], "How can I help?");
    const refunded = await conversation.say("I would like a refund, this is awful");
    assert.match(refunded.texts[0]!, /^Refunds reach your card within 5 days \(mood -0\.\d+\)\.$/);
    const neither = await conversation.say("What is the weather like on Mars?");
    assert.equal(neither.texts[0], "Sorry, I did not get that (intent none).");
    // No intent, but upset: the condition reads temp.sentiment.
    const upset = await conversation.say("You are useless and I am furious");
    assert.equal(upset.texts[0], "I'm sorry to hear that.");
  });

  it("hands the conversation to a person after three negative messages in a row, not when one in between is neutral", async () => {
    const patched = await node.request("PATCH", `/v1/admin/bots/${botId}`, { key: acme.keys.admin, body: { config: { nlp: { handoff: { afterNegativeMessages: 3, sentimentBelow: -0.1 } } } } });
    assert.equal(patched.status, 200, patched.text);
    const interrupted = chat(node, acme, botId);
    await interrupted.start();
    await interrupted.say("This is terrible");
    await interrupted.say("Awful service, I hate it");
    await interrupted.say("Where is my order?");
    const notYet = await interrupted.say("Still useless and annoying");
    assert.equal(notYet.status, "active");

    const unhappy = chat(node, acme, botId);
    await unhappy.start();
    assert.equal((await unhappy.say("This is terrible")).status, "active");
    assert.equal((await unhappy.say("Awful service, I hate it")).status, "active");
    const third = await unhappy.say("Useless. I am so angry");
    assert.equal(third.status, "waiting_human");
    assert.deepEqual(third.texts, ["I'm sorry this has been frustrating. I'm connecting you with a person who can help."]);
    const state = await node.request("GET", `/v1/chat/sessions/${unhappy.id}`, { key: acme.keys.widget });
    assert.equal(state.body.status, "waiting_human");
    // While a person has it, the bot stays quiet.
    assert.deepEqual((await unhappy.say("hello?")).texts, []);
  });

  it("refuses bad intents with a coded 4xx, and never shows or touches another tenant's bot", async () => {
    const post = (body: unknown, key = acme.keys.admin, bot = botId) => node.request("POST", `/v1/admin/bots/${bot}/intents`, { key, body });
    const empty = await post({ name: "billing", examples: [] });
    assert.deepEqual([empty.status, empty.body.error.code], [400, "INTENT_EXAMPLES_EMPTY"]);
    const blank = await post({ name: "billing", examples: ["  ", ""] });
    assert.deepEqual([blank.status, blank.body.error.code], [400, "INTENT_EXAMPLES_EMPTY"]);
    const duplicate = await post({ name: "refund", examples: ["money back please"] });
    assert.deepEqual([duplicate.status, duplicate.body.error.code], [409, "INTENT_NAME_TAKEN"]);
    const badName = await post({ name: "Order Status", examples: ["where is it"] });
    assert.deepEqual([badName.status, badName.body.error.code], [400, "INTENT_NAME_INVALID"]);
    const reserved = await post({ name: "none", examples: ["whatever"] });
    assert.deepEqual([reserved.status, reserved.body.error.code], [400, "INTENT_NAME_INVALID"]);
    const missing = await post({ name: "billing" });
    assert.equal(missing.status, 400);
    const foreign = await post({ name: "billing", examples: ["my invoice"] }, globex.keys.admin);
    assert.deepEqual([foreign.status, foreign.body.error.code], [404, "BOT_NOT_FOUND"]);
    const foreignList = await node.request("GET", `/v1/admin/bots/${botId}/intents`, { key: globex.keys.admin });
    assert.deepEqual([foreignList.status, foreignList.body.error.code], [404, "BOT_NOT_FOUND"]);
    const listed = (await node.request("GET", `/v1/admin/bots/${botId}/intents`, { key: acme.keys.admin })).body.intents;
    const foreignDelete = await node.request("DELETE", `/v1/admin/bots/${botId}/intents/${listed[0].id}`, { key: globex.keys.admin });
    assert.equal(foreignDelete.status, 404);
    assert.equal((await node.request("GET", `/v1/admin/bots/${botId}/intents`, { key: acme.keys.admin })).body.intents.length, 2);
    const clash = await node.request("PATCH", `/v1/admin/bots/${botId}/intents/${listed[0].id}`, { key: acme.keys.admin, body: { name: listed[1].name } });
    assert.deepEqual([clash.status, clash.body.error.code], [409, "INTENT_NAME_TAKEN"]);
  });

  it("refuses an intent node with no way out for none, or one intent routed twice", async () => {
    const flow = { start: "r", nodes: [
      { id: "r", type: "intent", content: { intents: [{ intent: "refund", then: "m" }, { intent: "refund", then: "m" }] } },
      { id: "m", type: "message", content: { messages: [{ type: "text", text: "ok" }] } },
    ] };
    const answer = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Broken", flow } });
    assert.deepEqual([answer.status, answer.body.error.code], [422, "FLOW_INVALID"]);
    const text = JSON.stringify(answer.body.error.details);
    assert.match(text, /routed twice/);
    assert.match(text, /none/);
  });
});

describe("intent and sentiment from the bot's language model (the real openai SDK against a fake OpenAI)", function () {
  this.timeout(180_000); // a node boots in about a minute on a loaded 2-core machine
  let node: TestPlatform;
  let fake: FakeVendor;
  let acme: Tenant;
  let botId: string;

  before(async () => {
    fake = await startFakeOpenAi();
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `${fake.url}/v1`, AI_RETRIES: "0" } });
    acme = await newTenant(node, "Acme");
    botId = await newBot(node, acme, { ai: { provider: "openai", model: "gpt-test" } });
  });
  after(async () => {
    await node?.cleanup();
    await fake?.close();
  });

  it("asks the model with the tenant's intents and routes on its answer, where offline matching would have said none", async () => {
    fake.script = () => ({ text: '{"intent": "refund", "confidence": 0.92, "sentiment": -0.75}' });
    const conversation = chat(node, acme, botId);
    await conversation.start();
    const reply = await conversation.say("This blender broke on day two. Sort it out.");
    assert.equal(reply.texts[0], "Refunds reach your card within 5 days (mood -0.75).");
    const asked = fake.requests.at(-1)!.body;
    assert.equal(asked.model, "gpt-test");
    const system = asked.messages.find((m: { role: string }) => m.role === "system").content as string;
    assert.match(system, /order_status \(Where an order is\): "where is my order"/);
    assert.match(system, /refund: "I want my money back"/);
    assert.equal(asked.messages.at(-1).content, "This blender broke on day two. Sort it out.");
  });

  it("falls back to the offline reading when the model answers something that is not the JSON asked for", async () => {
    fake.script = () => ({ text: "I think the customer wants a refund." });
    const conversation = chat(node, acme, botId);
    await conversation.start();
    const reply = await conversation.say("Where is my parcel?");
    assert.match(reply.texts[0]!, /^Let me look up your order \(intent order_status, mood /);
  });

  it("treats an intent the model made up as none", async () => {
    fake.script = () => ({ text: '{"intent": "complaint", "confidence": 0.99, "sentiment": 0.1}' });
    const conversation = chat(node, acme, botId);
    await conversation.start();
    assert.equal((await conversation.say("Where is my parcel?")).texts[0], "Sorry, I did not get that (intent none).");
  });
});
