import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { validateFlow } from "../../core/engine/flow/flow-validator.ts";
import { typebotToFlow } from "../../core/engine/flow/import/typebot-flow.ts";
import { createNodeTypeRegistry } from "../../core/engine/flow/node-type-registry.ts";
import { createTestEngine } from "../../core/testing/flow-kit.ts";
import coreNodes from "../../plugins/core-nodes/index.ts";
import { typebotExport } from "./typebot-export.fixture.ts";

const registry = createNodeTypeRegistry([coreNodes]);
const texts = (reply: { messages: { type: string }[] }) => reply.messages.map((m) => ("text" in m ? m.text : m.type));

function refused(input: unknown): { path: string; problem: string }[] {
  try {
    typebotToFlow(input);
  } catch (error) {
    const e = error as { code: string; status: number; data: { details: { path: string; problem: string }[] } };
    assert.equal(e.code, "IMPORT_INVALID");
    assert.equal(e.status, 422);
    return e.data.details;
  }
  assert.fail("the import was accepted");
}

describe("importing a Typebot export", () => {
  it("turns every block into a node that validates, and lists what has no counterpart with its block, type and reason", () => {
    const imported = typebotToFlow(typebotExport("https://scores.example.com/score"));
    assert.deepEqual(validateFlow(imported.flow, registry), []);
    assert.deepEqual(imported.unsupported.map((u) => [u.block, u.type]), [
      ["b_script", "Code"], ["b_openai", "OpenAI"], ["b_sheets", "Google Sheets"], ["b_link", "Typebot link"], ["b_ab", "AB test"], ["b_chatwoot", "Chatwoot"],
    ]);
    for (const entry of imported.unsupported) assert.ok(entry.reason.length > 10, `${entry.block} says why`);
    assert.deepEqual(imported.notes.map((n) => n.block), ["b_video", "b_audio", "b_redirect", "b_pet"]);
    assert.deepEqual(imported.variables.find((v) => v.name === "Favourite colour"), { id: "v_colour", name: "Favourite colour", variable: "session.favourite_colour" });

    const node = (id: string) => imported.flow.nodes.find((n) => n.id === id)!;
    assert.equal(imported.flow.start, "b_hello");
    assert.deepEqual(node("b_hello").content.messages, [{ type: "text", text: "Hello! I am the **demo** bot." }]);
    assert.deepEqual(node("b_video").content.messages, [{ type: "text", text: "Video: https://example.com/intro.mp4", delay_ms: 1000 }], "the wait became the next message's typing delay");
    assert.equal(node("b_name").content.question, "What is your name?", "the bubble before an input asks its question");
    assert.equal(imported.flow.nodes.some((n) => n.id === "b_ask_name"), false);
    assert.deepEqual(node("b_age").content.validation, { required: true, min: 1, max: 120 });
    assert.deepEqual(node("b_email").content.validation, { required: true, error_message: "That is not an email." });
    assert.deepEqual(node("b_colour").connections, { default: "b_blue", Red: "b_red" });
    assert.deepEqual(node("b_red").connections, { default: "b_pet" }, "the jump leads to the target group's first block");
    assert.deepEqual(node("b_age_check").content, {
      conditions: [{ if: { and: [{ ">=": [{ var: "session.age" }, 18] }, { "!!": [{ var: "session.name" }] }] }, then: "b_adult" }],
      else: "b_minor",
    });
    assert.deepEqual(node("b_bump").content.actions, [{ op: "increment", variable: "session.score", by: 1 }]);
    assert.deepEqual(node("b_hook").connections, { success: "b_bump", error: "b_bump" }, "the flow goes on past a failed request, as in Typebot");
    assert.equal(node("b_score0").connections.default, "b_email", "the unsupported script is stepped over");
  });

  it("runs a conversation down the minors' path, past the unsupported blocks", async () => {
    const { flow } = typebotToFlow(typebotExport("https://scores.example.com/score"));
    const { engine } = createTestEngine({ modules: [coreNodes], flow });
    const { session, reply } = await engine.startSession({ tenantId: "acme", botId: "tb", flow, flowVersion: "1", channel: "web" });
    assert.deepEqual(texts(reply), ["Hello! I am the **demo** bot.", "image", "Video: https://example.com/intro.mp4", "Audio: https://example.com/hello.mp3", "What is your name?"]);
    const send = async (text: string) => texts(await engine.handleMessage({ tenantId: "acme", sessionId: session.id, text }));
    assert.deepEqual(await send("Tim"), ["Nice to meet you, Tim!", "Your email, _Tim_?"]);
    assert.deepEqual(await send("tim@example.com"), ["Type a number"]);
    assert.deepEqual(await send("200"), ["Please answer with a number."], "above the number input's max");
    assert.deepEqual(await send("12"), ["Your phone number?"]);
    assert.deepEqual(await send("+33612345678"), ["A link (https://...)?"]);
    assert.deepEqual(await send("https://tim.example.com"), ["A date (YYYY-MM-DD)?"]);
    assert.deepEqual(await send("2025-12-31"), ["Please enter a date as YYYY-MM-DD."], "before the date input's min");
    assert.deepEqual(await send("2026-02-01"), ["Your rating?"]);
    const last = await engine.handleMessage({ tenantId: "acme", sessionId: session.id, text: "5" });
    assert.deepEqual(texts(last), ["Ask a grown-up to help you.", "Continue here: https://example.com/parents"]);
    assert.equal(last.status, "ended");
    const stored = await engine.getSession("acme", session.id);
    assert.deepEqual(stored.variables.session, {
      name: "Tim", greeting: "Nice to meet you, Tim", score: 0, email_address: "tim@example.com", age: 12, phone: "+33612345678",
      website: "https://tim.example.com", visit_date: "2026-02-01", rating: "5",
    });
  });

  it("refuses a file that is not a Typebot export with 422 saying what was wrong", () => {
    assert.match(refused({ hello: "world" })[0]!.problem, /not a Typebot export/);
    assert.match(refused([1, 2])[0]!.problem, /JSON object/);
    assert.match(refused("groups")[0]!.problem, /JSON object/);
    const noGroups = refused({ version: "6", events: [{ id: "s", type: "start" }], edges: [], variables: [] });
    assert.deepEqual(noGroups.map((p) => p.path), ["groups"]);
    const broken = structuredClone(typebotExport("https://x.example.com")) as { groups: { blocks: Record<string, unknown>[] }[] };
    delete broken.groups[1]!.blocks[2]!.type;
    assert.deepEqual(refused(broken).map((p) => p.path), ["groups[1].blocks[2].type"]);
    const unconnected = typebotExport("https://x.example.com");
    delete (unconnected.events[0] as { outgoingEdgeId?: string }).outgoingEdgeId;
    assert.match(refused(unconnected)[0]!.problem, /start event leads to no block/);
  });

  it("refuses an export from a version it does not read, naming the version", () => {
    for (const version of ["5", "3", "7", "6.2"]) {
      const [problem] = refused(typebotExport("https://x.example.com", version));
      assert.equal(problem!.path, "version");
      assert.match(problem!.problem, new RegExp(`"${version.replace(".", "\\.")}" is not supported \\(supported: 6, 6\\.1\\)`));
    }
    assert.equal(typebotToFlow(typebotExport("https://x.example.com", "6")).flow.start, "b_hello");
  });

  it("sets variables from plain values and {{Variable}} + n, and lists JavaScript as unsupported", () => {
    const base = typebotExport("https://x.example.com");
    const set = (id: string, expression: string, extra: Record<string, unknown> = {}) => ({ id, type: "Set variable", options: { variableId: "v_score", expressionToEvaluate: expression, ...extra } });
    base.groups = [{ id: "g", title: "Set", graphCoordinates: { x: 0, y: 0 }, blocks: [
      set("s_text", "'forty'"), set("s_copy", "{{Age}} - 2"), set("s_js", "Math.max({{Age}}, 3)"), set("s_code", "return 1", { isCode: true }),
      { id: "s_today", type: "Set variable", options: { variableId: "v_date", type: "Today" } },
      { id: "s_bye", type: "text", content: { richText: [{ type: "p", children: [{ text: "{{Score}}" }] }] } },
    ] } as never];
    base.edges = [{ id: "e_start", from: { eventId: "ev_start" }, to: { groupId: "g" } }] as never;
    const imported = typebotToFlow(base);
    assert.deepEqual(validateFlow(imported.flow, registry), []);
    assert.deepEqual(imported.unsupported.map((u) => u.block), ["s_js", "s_code", "s_today"]);
    assert.deepEqual(imported.flow.nodes.find((n) => n.id === "s_text")!.content.actions, [{ op: "set", variable: "session.score", value: "forty" }]);
    assert.deepEqual(imported.flow.nodes.find((n) => n.id === "s_copy")!.content.actions, [{ op: "set", variable: "session.score", value: "{{session.age}}" }, { op: "increment", variable: "session.score", by: -2 }]);
    assert.equal(imported.flow.nodes.find((n) => n.id === "s_copy")!.connections.default, "s_bye");
  });

  it("shows an embed as a link, asks a time as HH:MM, and lists file and payment inputs as unsupported", async () => {
    const base = typebotExport("https://x.example.com");
    base.groups = [{ id: "g", title: "More", graphCoordinates: { x: 0, y: 0 }, blocks: [
      { id: "m_embed", type: "embed", content: { url: "https://example.com/map" } },
      { id: "m_file", type: "file input", options: { variableId: "v_site" } },
      { id: "m_pay", type: "payment input", options: {} },
      { id: "m_time", type: "time input", options: { variableId: "v_date" } },
      { id: "m_long", type: "text input", options: { variableId: "v_name", isLong: true } },
    ] } as never];
    base.edges = [{ id: "e_start", from: { eventId: "ev_start" }, to: { groupId: "g" } }] as never;
    const imported = typebotToFlow(base);
    assert.deepEqual(validateFlow(imported.flow, registry), []);
    assert.deepEqual(imported.unsupported.map((u) => `${u.block}:${u.type}`), ["m_file:file input", "m_pay:payment input"]);
    const { flow } = imported;
    const { engine } = createTestEngine({ modules: [coreNodes], flow });
    const { session, reply } = await engine.startSession({ tenantId: "acme", botId: "tb", flow, flowVersion: "1", channel: "web" });
    assert.deepEqual(texts(reply), ["Link: https://example.com/map", "A time (HH:MM)?"]);
    assert.deepEqual(texts(await engine.handleMessage({ tenantId: "acme", sessionId: session.id, text: "25:00" })), ["Sorry, I didn't get that. Please try again."]);
    assert.deepEqual(texts(await engine.handleMessage({ tenantId: "acme", sessionId: session.id, text: "09:30" })), ["Type your answer"]);
  });
});
