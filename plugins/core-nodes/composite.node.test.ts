import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { createTestEngine, runNode } from "../../core/testing/flow-kit.ts";
import { validateFlow } from "../../core/engine/flow/flow-validator.ts";
import { createNodeTypeRegistry } from "../../core/engine/flow/node-type-registry.ts";
import coreNodes from "./index.ts";

const say = (id: string, text: string, next?: string) => ({ id, type: "message", content: { messages: [{ type: "text", text }] }, connections: next ? { default: next } : {} });

const subflow = {
  start: "hello",
  nodes: [
    say("hello", "Hello {{input.who}}.", "ask"),
    { id: "ask", type: "question", content: { question: "Your favourite colour?", variable: "local.colour" }, connections: { default: "result" } },
    { id: "result", type: "action", content: { actions: [{ op: "set", variable: "output.greeting", value: "{{input.who}} likes {{local.colour}}" }] }, connections: { default: "finish" } },
    { id: "finish", type: "end", content: {} },
  ],
};
const flow = {
  start: "prepare",
  nodes: [
    { id: "prepare", type: "action", content: { actions: [{ op: "set", variable: "user.name", value: "Ada" }, { op: "set", variable: "user.card", value: "4111 1111" }] }, connections: { default: "greet" } },
    { id: "greet", type: "composite", content: { inputs: [{ name: "who", value: "{{user.name}}" }], outputs: [{ variable: "user.greeting", from: "greeting" }], flow: subflow }, connections: { default: "after" } },
    say("after", "{{user.greeting}}", "done"),
    { id: "done", type: "end", content: {} },
  ],
};

describe("a composite node", () => {
  it("runs its sub-flow across turns with only its inputs, and writes back only its outputs", async () => {
    assert.deepEqual(validateFlow(flow, createNodeTypeRegistry([coreNodes])), []);
    const { engine, store } = createTestEngine({ modules: [coreNodes], flow });
    const { session, reply } = await engine.startSession({ tenantId: "acme", botId: "b", flow, flowVersion: "1", channel: "web" });
    assert.deepEqual(reply.messages.map((m) => "text" in m && m.text), ["Hello Ada.", "Your favourite colour?"]);
    assert.equal(session.position.nodeId, "ask");
    assert.deepEqual(session.position.frames.map((f) => [f.nodeId, f.vars]), [["greet", { input: { who: "Ada" }, local: {}, output: {} }]]);

    const done = await engine.handleMessage({ tenantId: "acme", sessionId: session.id, text: "green" });
    assert.deepEqual(done.messages.map((m) => "text" in m && m.text), ["Ada likes green"]);
    const stored = await engine.getSession("acme", session.id);
    assert.deepEqual(stored.variables.user, { name: "Ada", card: "4111 1111", greeting: "Ada likes green" });
    assert.deepEqual(Object.keys(stored.variables).sort(), ["context", "session", "temp", "user"], "local.* never reaches the session's scopes");
    assert.equal((await store.history("acme", session.id)).find((h) => h.direction === "inbound")?.nodeId, "greet/ask");
  });

  it("cannot read user.* from inside its sub-flow", async () => {
    const peeking = { ...flow, nodes: flow.nodes.map((n) => n.id === "greet" ? { ...n, content: { ...n.content, flow: { start: "peek", nodes: [say("peek", "card: [{{user.card}}]")] } } } : n) };
    assert.ok(validateFlow(peeking, createNodeTypeRegistry([coreNodes])).some((p) => p.node === "greet/peek" && p.problem.includes('unknown scope "user"')));
    const { engine } = createTestEngine({ modules: [coreNodes], flow: peeking });
    const { reply } = await engine.startSession({ tenantId: "acme", botId: "b", flow: peeking, flowVersion: "1", channel: "web" });
    assert.equal(reply.messages.map((m) => "text" in m && m.text)[0], "card: []");
  });

  it("cannot write user.* or its own inputs from inside its sub-flow", async () => {
    const set = (variable: string) => runNode(coreNodes, "action", { content: { actions: [{ op: "set", variable, value: 1 }] }, composite: true, vars: { input: { who: "Ada" } } });
    await assert.rejects(set("user.hacked"), { code: "VARIABLE_SCOPE_UNKNOWN" });
    await assert.rejects(set("input.who"), { code: "VARIABLE_SCOPE_READ_ONLY" });
    const { vars } = await set("output.ok");
    assert.deepEqual(vars.output, { ok: 1 });
  });
});
