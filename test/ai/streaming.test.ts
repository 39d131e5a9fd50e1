import assert from "node:assert/strict";
import type { ServiceSchema } from "moleculer";
import { createTestEngine, runNode } from "../../core/testing/flow-kit.ts";
import aiNodes from "../../plugins/ai-nodes/index.ts";
import coreNodes from "../../plugins/core-nodes/index.ts";
import { InMemorySessionStore, revisionConflict, type HistoryEntry, type SessionRecord } from "../../core/engine/flow/session-store.ts";
import { definePlugin, defineNodeType, implementNodeType, implementPlugin, z } from "../../core/sdk/index.ts";
import { createTestDatabase, testServices, uniqueName } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { sse, startFakeVendor, type FakeVendor } from "./fakes/fake-vendor.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };
type SseEvent = { name: string; data: any };

/**
 * What the fake model says to one request: its text in these chunks, `gapMs` apart. With `hold`,
 * the last chunk waits for it; with `cut`, the connection breaks after the chunks instead of finishing.
 */
type Plan = { chunks: string[]; gapMs?: number; hold?: Promise<void>; cut?: boolean; toolCall?: { id: string; name: string; args: object } };

/** A fake OpenAI streaming chat completions as the real one does, paced by the test. */
async function startPacedOpenAi(): Promise<FakeVendor & { plan: (body: any) => Plan; finished: number }> {
  const fake = Object.assign(await startFakeVendor((_reply, request, res) => void play(request.body, res)), { plan: (_body: any): Plan => ({ chunks: ["Hello."] }), finished: 0 });
  async function play(body: any, res: import("node:http").ServerResponse) {
    const plan = fake.plan(body);
    const send = sse(res);
    const chunk = (delta: object, finish: string | null = null) => send({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
    chunk({ role: "assistant", content: "" });
    for (const [i, piece] of plan.chunks.entries()) {
      if (i === plan.chunks.length - 1 && plan.hold) await plan.hold;
      else if (i > 0) await new Promise((resolve) => setTimeout(resolve, plan.gapMs ?? 20));
      chunk({ content: piece });
    }
    if (plan.cut) {
      res.destroy();
      return;
    }
    const call = plan.toolCall;
    if (call) chunk({ tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args) } }] });
    chunk({}, call ? "tool_calls" : "stop");
    send({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [], usage: { prompt_tokens: 40, completion_tokens: 10, total_tokens: 50 } });
    send("[DONE]");
    res.end();
    fake.finished++;
  }
  return fake;
}

/** Sends a message with `Accept: text/event-stream` and reads the events as they arrive. */
async function sendLive(base: string, widget: string, sessionId: string, text: string, onEvent: (event: SseEvent) => void = () => {}) {
  const response = await fetch(`${base}/v1/chat/sessions/${sessionId}/messages`, {
    method: "POST", headers: { "x-api-key": widget, "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify({ text }),
  });
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of response.body!) {
    buffer += decoder.decode(bytes, { stream: true });
    const blocks = buffer.split("\n\n");
    buffer = blocks.pop()!;
    for (const block of blocks) {
      const name = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null");
      events.push({ name, data });
      onEvent({ name, data });
    }
  }
  return { status: response.status, type: response.headers.get("content-type") ?? "", events };
}

const names = (events: SseEvent[]) => events.map((e) => e.name);
const drafts = (events: SseEvent[], index = 0) => events.filter((e) => e.name === "delta" && e.data.index === index).map((e) => e.data.text as string);

describe("LLM replies streamed to the web chat", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let openai: Awaited<ReturnType<typeof startPacedOpenAi>>;
  let tenant: Tenant;

  before(async () => {
    openai = await startPacedOpenAi();
    node = await startTestPlatform({
      pluginFolders: ["plugins"],
      env: { ALLOW_PRIVATE_NETWORKS: "true", OPENAI_API_KEY: "sk-openai-secret", OPENAI_BASE_URL: `${openai.url}/v1`, AI_RETRIES: "0" },
    });
    await stubKnowledge(node);
    tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
    await node.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
  });
  after(async () => {
    await node?.cleanup();
    await openai?.close();
  });

  async function bot(body: Record<string, unknown>): Promise<string> {
    const created = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Streamer", ...body } });
    assert.equal(created.status, 201, created.text);
    return created.body.id;
  }
  async function session(botId: string): Promise<string> {
    const started = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });
    assert.equal(started.status, 201, started.text);
    return started.body.sessionId;
  }
  async function outbound(sessionId: string): Promise<string[]> {
    const history = await node.request("GET", `/v1/chat/sessions/${sessionId}/history`, { key: tenant.keys.widget });
    return history.body.messages.filter((m: any) => m.direction === "outbound").map((m: any) => m.message.text);
  }

  it("shows an assistant's answer token by token while the model is still writing, then commits only the final message", async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    openai.plan = () => ({ chunks: ["Our salon ", "opens at ", "9am and closes ", "at 6pm."], hold });
    const id = await session(await bot({ config: { ai: { systemPrompt: "You are the front desk." } } }));
    const finishedBefore = openai.finished;
    let finishedAtFirstDelta: number | undefined;
    const turn = await sendLive(node.url, tenant.keys.widget, id, "When are you open?", (event) => {
      if (event.name !== "delta" || finishedAtFirstDelta !== undefined) return;
      finishedAtFirstDelta = openai.finished - finishedBefore;
      release();
    });
    assert.equal(turn.status, 200);
    assert.match(turn.type, /^text\/event-stream/);
    assert.equal(finishedAtFirstDelta, 0, "the first draft arrived while the model still held its last chunk");
    assert.deepEqual(names(turn.events).filter((n) => n !== "delta"), ["message", "done"], names(turn.events).join(","));
    assert.equal(turn.events[0]!.name, "delta");
    assert.ok(drafts(turn.events).length >= 2, "several deltas, not one");
    assert.equal(drafts(turn.events).join(""), "Our salon opens at 9am and closes at 6pm.");
    assert.deepEqual(turn.events.find((e) => e.name === "message")!.data, { type: "text", text: "Our salon opens at 9am and closes at 6pm." });
    assert.deepEqual((await outbound(id)).slice(1), ["Our salon opens at 9am and closes at 6pm."], "the history holds the final text only");
  });

  it("answers a request without Accept: text/event-stream with the whole reply as JSON", async () => {
    openai.plan = () => ({ chunks: ["Plain ", "JSON ", "answer."] });
    const id = await session(await bot({ config: { ai: {} } }));
    const reply = await node.request("POST", `/v1/chat/sessions/${id}/messages`, { key: tenant.keys.widget, body: { text: "Say it plainly" } });
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(reply.body.messages, [{ type: "text", text: "Plain JSON answer." }]);
  });

  it("streams a flow's llm reply at the place of its message, and never an answer meant only for a variable", async () => {
    openai.plan = (body) => /Summarise/.test(JSON.stringify(body.messages)) ? { chunks: ["SECRET ", "SUMMARY"] } : { chunks: ["Forty", "-two."] };
    const flow = {
      start: "ask",
      nodes: [
        { id: "ask", type: "question", content: { question: "What is your question?", input_type: "text", variable: "session.q" }, connections: { default: "note" } },
        { id: "note", type: "llm", content: { prompt: "Summarise: {{session.q}}", variable: "session.summary" }, connections: { default: "intro" } },
        { id: "intro", type: "message", content: { messages: [{ type: "text", text: "Let me think." }] }, connections: { default: "answer" } },
        { id: "answer", type: "llm", content: { prompt: "{{session.q}}" }, connections: { default: "ask" } },
      ],
    };
    const id = await session(await bot({ flow }));
    const turn = await sendLive(node.url, tenant.keys.widget, id, "What is the answer?");
    assert.deepEqual(drafts(turn.events, 1).join(""), "Forty-two.", "the draft is message 1, after “Let me think.”");
    assert.ok(!turn.events.some((e) => e.name === "delta" && e.data.index !== 1), "nothing else was drafted");
    assert.deepEqual(turn.events.filter((e) => e.name === "message").map((e) => e.data.text), ["Let me think.", "Forty-two.", "What is your question?"]);
    // The drafted message comes without a typing pause; the others keep theirs.
    assert.deepEqual(names(turn.events).filter((n) => n !== "delta"), ["typing", "message", "message", "typing", "message", "done"]);
  });

  it("replaces a draft that the bot's format repairs with the repaired message, and stores only that", async () => {
    openai.plan = () => ({ chunks: ["We offer:\n", "- cuts\n", "- colour"] });
    const id = await session(await bot({ config: { ai: { format: { bulletLists: false } } } }));
    const turn = await sendLive(node.url, tenant.keys.widget, id, "What do you offer?");
    assert.equal(drafts(turn.events).join(""), "We offer:\n- cuts\n- colour", "the draft is what the model wrote");
    const final = turn.events.find((e) => e.name === "message")!.data.text;
    assert.equal(final, "We offer: cuts and colour.");
    assert.deepEqual((await outbound(id)).slice(1), [final]);
  });

  it("drops what the model said on its way to a tool call, and streams the answer it gives after it", async () => {
    openai.plan = (body) => body.messages.some((m: any) => m.role === "tool")
      ? { chunks: ["We open ", "at 9."] }
      : { chunks: ["Let me ", "check."], toolCall: { id: "call_1", name: "knowledge_search", args: { query: "opening hours" } } };
    const id = await session(await bot({ config: { ai: { tools: ["knowledge"] } } }));
    const turn = await sendLive(node.url, tenant.keys.widget, id, "When do you open on Sundays?");
    const order = turn.events.map((e) => (e.name === "delta" ? `delta:${e.data.text}` : e.name)).filter((n) => n !== "typing");
    assert.deepEqual(order, ["delta:Let me ", "delta:check.", "reset", "delta:We open ", "delta:at 9.", "message", "done"]);
    assert.equal(turn.events.find((e) => e.name === "message")!.data.text, "We open at 9.");
  });

  it("sends no reset when the model failed before it wrote anything, and the fallback answers", async () => {
    openai.script = () => ({ status: 500 });
    try {
      const id = await session(await bot({ config: { ai: {} } }));
      const turn = await sendLive(node.url, tenant.keys.widget, id, "Is anyone there at all?");
      assert.deepEqual(names(turn.events), ["typing", "message", "done"]);
    } finally {
      openai.script = () => ({ text: "unused" });
    }
  });

  it("resets the draft of a model that broke off mid-answer, and shows the fallback's answer instead", async () => {
    openai.plan = () => ({ chunks: ["I was saying ", "that we"], cut: true });
    const id = await session(await bot({ config: { ai: {} } }));
    const turn = await sendLive(node.url, tenant.keys.widget, id, "Tell me something about cats and dogs");
    const order = names(turn.events);
    assert.ok(order.indexOf("delta") < order.indexOf("reset"), order.join(","));
    assert.deepEqual(turn.events.find((e) => e.name === "reset")!.data, { index: 0 });
    assert.ok(order.indexOf("reset") < order.indexOf("message"));
    const final = turn.events.find((e) => e.name === "message")!.data.text;
    assert.doesNotMatch(final, /I was saying/);
    assert.deepEqual((await outbound(id)).slice(1), [final]);
  });
});

describe("llm and agent nodes in a live turn", () => {
  const answer = { text: "42", source: "model", ctas: [], transcript: { turns: [] }, collected: {} };
  const streamed = async (type: string, content: unknown, input?: { text: string }) => {
    const asked: unknown[] = [];
    await runNode(aiNodes, type, { content, input, call: async (_action, _params, options) => { asked.push(options?.stream); return answer; } });
    return asked;
  };

  it("asks ai.respond to stream an answer the user will read, and not one that only fills a variable", async () => {
    assert.deepEqual(await streamed("llm", { prompt: "Say 42" }), [true]);
    assert.deepEqual(await streamed("llm", { prompt: "Say 42", variable: "session.answer" }), [false]);
    assert.deepEqual(await streamed("llm", { prompt: "Say 42", variable: "session.answer", reply: true }), [true]);
    assert.deepEqual(await streamed("agent", {}, { text: "Hi" }), [true]);
  });
});

describe("a live turn on the flow engine", () => {
  const definition = definePlugin({
    id: "@test/drafter", version: "1.0.0", platform: "^1.0.0", kinds: ["node-type"],
    nodeTypes: [defineNodeType({ type: "drafter", content: z.object({}), connections: ["default"] })],
  });
  let runs = 0;
  const drafter = implementPlugin(definition, {
    nodeTypes: {
      drafter: implementNodeType(definition, "drafter", async (ctx) => {
        runs++;
        ctx.stream?.delta(`draft ${runs}`);
        await ctx.call("test.echo", {}, { stream: true });
        // Waits on every other run: a turn resumes it, then it says its message and the flow comes back to it.
        return ctx.input ? { messages: [{ type: "text", text: `final ${runs}` }] } : { wait: { type: "text" } };
      }),
    },
  });

  /** Loses the race on its first compare-and-set, as when another node committed first. */
  class RacedStore extends InMemorySessionStore {
    lost = false;
    override async compareAndSet(id: string, expected: number, next: SessionRecord, history?: readonly HistoryEntry[]) {
      if (!this.lost && expected > 0) {
        this.lost = true;
        throw revisionConflict(id, expected, expected + 1);
      }
      return super.compareAndSet(id, expected, next, history);
    }
  }

  it("resets every draft of a turn that lost a race before running it again, and hands actions a handle for the node's message", async () => {
    const calls: unknown[] = [];
    const flow = {
      start: "d",
      nodes: [
        { id: "d", type: "drafter", content: {}, connections: { default: "hello" } },
        { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Hi" }] }, connections: { default: "d" } },
      ],
    };
    const { engine } = createTestEngine({
      modules: [coreNodes, drafter], store: new RacedStore(), flow,
      call: async (_action, _params, options) => { calls.push(options?.stream); return {}; },
    });
    const started = (await engine.startSession({ tenantId: "t", botId: "b", flowVersion: "1", channel: "web", flow })).session;
    calls.length = 0;
    const seen: string[] = [];
    runs = 0;
    const reply = await engine.handleMessage({
      tenantId: "t", sessionId: started.id, text: "go",
      stream: { delta: (index, text) => seen.push(`delta ${index} ${text}`), reset: (index) => void seen.push(`reset ${index ?? "turn"}`), handle: (index) => ({ watcher: "w", index }) },
    });
    // Each attempt: the resumed drafter drafts message 0, then after "Hi" drafts message 2 and waits.
    assert.deepEqual(seen, ["delta 0 draft 1", "delta 2 draft 2", "reset turn", "delta 0 draft 3", "delta 2 draft 4"]);
    assert.deepEqual(reply.messages, [{ type: "text", text: "final 3" }, { type: "text", text: "Hi" }]);
    assert.deepEqual(calls, [0, 2, 0, 2].map((index) => ({ watcher: "w", index })));
  });
});

/** Passages for every bot, so no embedder runs. */
async function stubKnowledge(node: TestPlatform): Promise<void> {
  const broker = node.platform.broker;
  const real = broker.getLocalService("knowledge");
  if (real) await broker.destroyService(real);
  broker.createService({ name: "knowledge", actions: { search: () => [] } } satisfies ServiceSchema);
  await broker.waitForServices(["knowledge"]);
}

describe("LLM replies streamed across two nodes", function () {
  this.timeout(90_000);
  let a: TestPlatform;
  let b: TestPlatform;
  let openai: Awaited<ReturnType<typeof startPacedOpenAi>>;
  let database: { url: string; drop(): Promise<void> };

  before(async function () {
    if (!testServices.natsUrl || !testServices.postgresUrl) return this.skip();
    openai = await startPacedOpenAi();
    database = await createTestDatabase();
    const namespace = uniqueName("live");
    const env = { REDIS_PREFIX: `${namespace}:`, ALLOW_PRIVATE_NETWORKS: "true", OPENAI_API_KEY: "sk-openai-secret", OPENAI_BASE_URL: `${openai.url}/v1` };
    const shared = { databaseUrl: database.url, transporter: testServices.natsUrl, namespace, redis: true, pluginFolders: ["plugins"] };
    a = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-a` } });
    b = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-b` } });
    await Promise.all([stubKnowledge(a), stubKnowledge(b)]);
    // Node A keeps the HTTP request and the turn; the model is called from node B.
    const ai = a.platform.broker.getLocalService("ai");
    if (ai) await a.platform.broker.destroyService(ai);
    // Wait until A's registry holds B's `ai` service, not merely any `ai`: gossip may lag the destroy.
    const bNode = b.platform.broker.nodeID;
    for (let i = 0; i < 200; i++) {
      const services = a.platform.broker.registry.getServiceList({ onlyAvailable: true, withActions: false }) as Array<{ name: string; nodeID: string }>;
      if (services.some((service) => service.name === "ai" && service.nodeID === bNode)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
    await openai?.close();
  });

  it("brings the model's tokens from the node that calls it to the node that holds the request, in order, before the final message", async () => {
    const tenant: Tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Twin", tier: "paid" } })).body;
    const created = await a.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Remote", config: { ai: {} } } });
    assert.equal(created.status, 201, created.text);
    const botId = created.body.id;
    // B must know A's endpoints before it can send A anything.
    for (let i = 0; i < 100; i++) {
      const ready = await b.platform.broker.call("conversations.streamEvents", { streamId: "none", events: [] }, { nodeID: a.platform.broker.nodeID }).then(() => true, () => false);
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const started = await a.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });
    assert.equal(started.status, 201, started.text);
    const id = started.body.sessionId;
    const chunks = Array.from({ length: 12 }, (_, i) => `${i === 0 ? "" : " "}w${i}`);
    openai.plan = () => ({ chunks, gapMs: 5 });
    const turn = await sendLive(a.url, tenant.keys.widget, id, "Count for me");
    assert.equal(drafts(turn.events).join(""), chunks.join(""));
    assert.deepEqual(names(turn.events).filter((n) => n !== "delta"), ["message", "done"]);
    assert.equal(turn.events.find((e) => e.name === "message")!.data.text, chunks.join(""));
  });
});
