import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { createTestEngine } from "../../core/testing/flow-kit.ts";
import { MetricRegistry } from "../../core/kernel/observability/metric-registry.ts";
import { validateFlow } from "../../core/engine/flow/flow-validator.ts";
import { createNodeTypeRegistry } from "../../core/engine/flow/node-type-registry.ts";
import coreNodes from "./index.ts";
import { exampleFlow } from "./example-flow.fixture.ts";

const texts = (reply: { messages: { type: string }[] }) => reply.messages.map((m) => ("text" in m ? m.text : m.type));
const tenantId = "acme";

function setup(flow: unknown = exampleFlow, extra: Parameters<typeof createTestEngine>[0] extends infer O ? Partial<O> : never = {}) {
  return createTestEngine({ modules: [coreNodes], flow, ...extra });
}

describe("a conversation on the demo flow", () => {
  it("is a valid flow", () => {
    assert.deepEqual(validateFlow(exampleFlow, createNodeTypeRegistry([coreNodes])), []);
  });

  it("greets, re-asks a bad name with the error message, and welcomes an adult by name", async () => {
    const { engine, store, events } = setup();
    const { session, reply } = await engine.startSession({ tenantId, botId: "demo", flow: exampleFlow, flowVersion: "1", channel: "web", context: { locale: "en" } });
    assert.deepEqual(texts(reply), ["Hi! I'm the demo bot.", "What's your name?"]);
    assert.deepEqual(reply.input, { type: "text" });
    assert.equal(reply.status, "active");

    const bad = await engine.handleMessage({ tenantId, sessionId: session.id, text: "R2-D2" });
    assert.deepEqual(texts(bad), ["Please enter a valid name"]);
    const named = await engine.handleMessage({ tenantId, sessionId: session.id, text: "Ada" });
    assert.deepEqual(texts(named), ["How old are you, Ada?"]);
    assert.deepEqual(named.input, { type: "number" });
    const done = await engine.handleMessage({ tenantId, sessionId: session.id, text: "36" });
    assert.deepEqual(texts(done), ["Welcome aboard, Ada."]);
    assert.equal(done.status, "ended");

    const stored = await engine.getSession(tenantId, session.id);
    assert.deepEqual(stored.variables.user, { name: "Ada", age: 36 });
    assert.deepEqual(stored.variables.context, { locale: "en", channel: "web" });
    assert.equal(stored.revision, 4);

    const history = await store.history(tenantId, session.id);
    assert.deepEqual(history.map((h) => [h.direction, h.nodeId]), [
      ["outbound", "welcome"], ["outbound", "ask_name"],
      ["inbound", "ask_name"], ["outbound", "ask_name"],
      ["inbound", "ask_name"], ["outbound", "ask_age"],
      ["inbound", "ask_age"], ["outbound", "adult"],
    ]);
    const names = events.map((e) => e.event);
    assert.equal(names[0], "conversation.session.started");
    assert.ok(names.includes("conversation.node.entered"));
    assert.ok(names.includes("conversation.message.received"));
    assert.ok(names.includes("conversation.message.sent"));
    assert.equal(names.at(-1), "conversation.session.ended");
    await assert.rejects(engine.handleMessage({ tenantId, sessionId: session.id, text: "hello?" }), { code: "SESSION_ENDED", status: 409 });
  });

  it("sends a young user to ask a grown-up", async () => {
    const { engine } = setup();
    const { session } = await engine.startSession({ tenantId, botId: "demo", flow: exampleFlow, flowVersion: "1", channel: "web" });
    await engine.handleMessage({ tenantId, sessionId: session.id, text: "Tim" });
    const reply = await engine.handleMessage({ tenantId, sessionId: session.id, text: "12" });
    assert.deepEqual(texts(reply), ["Ask a grown-up to join you, Tim."]);
  });

  it("keeps another tenant out of the session", async () => {
    const { engine } = setup();
    const { session } = await engine.startSession({ tenantId, botId: "demo", flow: exampleFlow, flowVersion: "1", channel: "web" });
    await assert.rejects(engine.handleMessage({ tenantId: "other", sessionId: session.id, text: "Ada" }), { code: "SESSION_NOT_FOUND", status: 404 });
  });

  it("applies two messages sent at the same time, in order, with nothing lost", async () => {
    const { engine, store } = setup();
    const { session } = await engine.startSession({ tenantId, botId: "demo", flow: exampleFlow, flowVersion: "1", channel: "web" });
    const [first, second] = await Promise.all([
      engine.handleMessage({ tenantId, sessionId: session.id, text: "Ada" }),
      engine.handleMessage({ tenantId, sessionId: session.id, text: "20" }),
    ]);
    assert.deepEqual(texts(first), ["How old are you, Ada?"]);
    assert.deepEqual(texts(second), ["Welcome aboard, Ada."]);
    assert.deepEqual([first.revision, second.revision], [2, 3]);
    const inbound = (await store.history(tenantId, session.id)).filter((h) => h.direction === "inbound").map((h) => h.message);
    assert.deepEqual(inbound, [{ text: "Ada" }, { text: "20" }]);
  });

  it("applies racing messages from two broker nodes sharing one store, retrying the loser", async () => {
    const a = setup();
    const b = setup(exampleFlow, { store: a.store });
    const { session } = await a.engine.startSession({ tenantId, botId: "demo", flow: exampleFlow, flowVersion: "1", channel: "web" });
    const [first, second] = await Promise.all([
      a.engine.handleMessage({ tenantId, sessionId: session.id, text: "Ada" }),
      b.engine.handleMessage({ tenantId, sessionId: session.id, text: "20" }),
    ]);
    const revisions = [first.revision, second.revision].sort();
    assert.deepEqual(revisions, [2, 3]);
    const stored = await a.engine.getSession(tenantId, session.id);
    assert.equal(stored.revision, 3);
    const inbound = (await a.store.history(tenantId, session.id)).filter((h) => h.direction === "inbound");
    assert.equal(inbound.length, 2, "each message is in the history exactly once");
    assert.ok([...a.logs, ...b.logs].some((l) => l.message.includes("lost a race")), "one turn was retried on the newer state");
  });
});

describe("a runaway loop", () => {
  const loopFlow = {
    start: "ask",
    nodes: [
      { id: "ask", type: "question", content: { question: "Say something", variable: "temp.said" }, connections: { default: "check" } },
      { id: "check", type: "condition", content: { conditions: [{ if: { "==": [{ var: "temp.said" }, "loop"] }, then: "count" }], else: "thanks" } },
      { id: "count", type: "action", content: { actions: [{ op: "increment", variable: "session.spins" }] }, connections: { default: "again" } },
      { id: "again", type: "condition", content: { conditions: [], else: "count" } },
      { id: "thanks", type: "message", content: { messages: [{ type: "text", text: "Thanks!" }] }, connections: { default: "ask" } },
    ],
  };

  it("is refused by validation", () => {
    const problems = validateFlow(loopFlow, createNodeTypeRegistry([coreNodes]));
    assert.ok(problems.some((p) => p.node === "count" && p.problem.includes("loop")), JSON.stringify(problems));
  });

  it("stops at the step limit with a polite message, logs an error, and the session keeps working", async () => {
    const { engine, logs } = setup(loopFlow, { stepLimit: 25 });
    const { session } = await engine.startSession({ tenantId, botId: "demo", flow: loopFlow, flowVersion: "1", channel: "web" });
    const stuck = await engine.handleMessage({ tenantId, sessionId: session.id, text: "loop" });
    assert.deepEqual(texts(stuck), ["Sorry, I got stuck there. Could you say that again?"]);
    assert.equal(stuck.status, "active");
    assert.ok(logs.some((l) => l.level === "error" && l.message.includes("step limit")));
    const stored = await engine.getSession(tenantId, session.id);
    assert.equal(stored.position.nodeId, "ask", "still waiting on the question");
    assert.equal(stored.variables.session.spins, undefined, "the stopped turn's changes are dropped");
    const fine = await engine.handleMessage({ tenantId, sessionId: session.id, text: "hello" });
    assert.deepEqual(texts(fine), ["Thanks!", "Say something"]);
    assert.deepEqual((await engine.getSession(tenantId, session.id)).variables.temp, {}, "temp is cleared at the end of a turn");
  });
});

describe("a node that fails", () => {
  const flow = {
    start: "ask",
    nodes: [
      { id: "ask", type: "question", content: { question: "Go?", variable: "user.go" }, connections: { default: "broken" } },
      // Passes the schema but writes a scope that does not exist: fails at run time.
      { id: "broken", type: "action", content: { actions: [{ op: "set", variable: "nowhere.x", value: 1 }] }, connections: { default: "ask" } },
    ],
  };
  it("gives the user a polite message, logs the error, and leaves the session where it was", async () => {
    const { engine, logs } = setup(flow);
    const { session } = await engine.startSession({ tenantId, botId: "demo", flow, flowVersion: "1", channel: "web" });
    const reply = await engine.handleMessage({ tenantId, sessionId: session.id, text: "yes" });
    assert.deepEqual(texts(reply), ["Sorry, something went wrong on our side. Please try again."]);
    assert.deepEqual(reply.input, { type: "text" });
    assert.equal(logs.find((l) => l.level === "error")?.data?.code, "VARIABLE_SCOPE_UNKNOWN");
    const stored = await engine.getSession(tenantId, session.id);
    assert.equal(stored.position.nodeId, "ask");
    assert.equal(stored.variables.user.go, undefined);
  });

  it("is counted in /metrics as an execution and an error of its node type, beside the turns by channel", async () => {
    const metrics = new MetricRegistry();
    const { engine } = setup(flow, { metrics });
    const { session } = await engine.startSession({ tenantId, botId: "demo", flow, flowVersion: "1", channel: "whatsapp" });
    await engine.handleMessage({ tenantId, sessionId: session.id, text: "yes" });
    const text = await metrics.render({});
    assert.match(text, /^botplatform_node_errors_total\{type="action"\} 1$/m);
    assert.match(text, /^botplatform_node_executions_total\{type="action"\} 1$/m);
    assert.match(text, /^botplatform_node_executions_total\{type="question"\} 2$/m);
    assert.doesNotMatch(text, /botplatform_node_errors_total\{type="question"\}/);
    assert.match(text, /^botplatform_turns_total\{channel="whatsapp"\} 2$/m, "a failed turn is still a turn");
  });
});

describe("a handoff", () => {
  const flow = {
    start: "h",
    nodes: [
      { id: "h", type: "handoff", content: { reason: "billing question from {{context.locale}}" }, connections: { default: "back" } },
      { id: "back", type: "question", content: { question: "I'm back. Anything else?", variable: "temp.more" }, connections: { default: "bye" } },
      { id: "bye", type: "end", content: { message: "Bye!" } },
    ],
  };
  it("puts the session in the hands of a human, emits the request, the bot stays quiet until the human hands back", async () => {
    const { engine, events, store } = setup(flow);
    const { session, reply } = await engine.startSession({ tenantId, botId: "demo", flow, flowVersion: "1", channel: "web", context: { locale: "fr" } });
    assert.equal(reply.status, "waiting_human");
    assert.deepEqual(texts(reply), ["Connecting you with a person. Please hold on."]);
    const requested = events.find((e) => e.event === "conversation.handoff.requested");
    assert.equal(requested?.payload.reason, "billing question from fr");
    const quiet = await engine.handleMessage({ tenantId, sessionId: session.id, text: "hello?" });
    assert.deepEqual(quiet.messages, []);
    assert.equal((await store.history(tenantId, session.id)).at(-1)?.direction, "inbound");
    const back = await engine.releaseHandoff({ tenantId, sessionId: session.id });
    assert.deepEqual(texts(back), ["I'm back. Anything else?"]);
    assert.equal(back.status, "active");
    assert.ok(events.some((e) => e.event === "conversation.handoff.released"));
    await assert.rejects(engine.releaseHandoff({ tenantId, sessionId: session.id }), { code: "SESSION_NOT_HANDED_OFF" });
    const ended = await engine.endSession({ tenantId, sessionId: session.id, reason: "agent_closed" });
    assert.equal(ended.status, "ended");
    assert.equal(events.at(-1)?.event, "conversation.session.ended");
  });
});
