/**
 * The editor's document operations (console/src/flows): every edit keeps the flow a flow, touches
 * only what it names, and a new node's form starts from what its type's schema requires.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { addNode, connect, flowJson, parseFlowJson, pasteNodes, removeElements, variablesInScope, type FlowDocument } from "../../console/src/flows/flow-document.ts";
import { diffFlows } from "../../console/src/flows/flow-diff.ts";
import { defaultFor } from "../../console/src/flows/form/json-schema.ts";
import { messageContent } from "../../plugins/core-nodes/message.node.ts";
import { questionContent } from "../../plugins/core-nodes/question.node.ts";

const flow: FlowDocument = {
  start: "ask",
  nodes: [
    { id: "ask", type: "question", content: { question: "Name?", variable: "user.name" }, connections: { default: "hi" } },
    { id: "hi", type: "message", content: { messages: [{ type: "text", text: "Hi {{user.name}}" }] }, connections: { default: "end" } },
    { id: "end", type: "end" },
  ],
};
const positions = { ask: { x: 0, y: 0 }, hi: { x: 0, y: 150 }, end: { x: 0, y: 300 } };

describe("the flow editor's document", () => {
  it("exports exactly what was imported, fields it does not know included", () => {
    const text = `${JSON.stringify({ ...flow, nodes: [...flow.nodes, { id: "x", type: "webhook", content: { url: "https://a.example" }, connections: {}, note: "kept" }] }, null, 2)}\n`;
    assert.equal(flowJson(parseFlowJson(text)), text);
    assert.throws(() => parseFlowJson("{"), /not JSON/);
    assert.throws(() => parseFlowJson(`{"start":"a","nodes":[]}`), /not a flow/);
  });

  it("deleting a node cuts the connections into it, and the start moves to a node that exists", () => {
    const next = removeElements(flow, ["ask", "end"]);
    assert.equal(next.start, "hi");
    assert.deepEqual(next.nodes.map((n) => [n.id, n.connections]), [["hi", {}]]);
    assert.deepEqual(removeElements(flow, [], [{ source: "ask", name: "default" }]).nodes[0]!.connections, {});
    assert.equal(flow.nodes[0]!.connections!.default, "hi", "the original document is untouched (undo keeps it)");
  });

  it("a pasted copy gets fresh ids, keeps the connections among the copies and drops the others", () => {
    const { doc, ids } = pasteNodes(flow, [flow.nodes[0]!, flow.nodes[1]!], positions, positions);
    assert.deepEqual(ids, ["ask_1", "hi_1"]);
    assert.deepEqual(doc.nodes.find((n) => n.id === "ask_1")!.connections, { default: "hi_1" });
    assert.deepEqual(doc.nodes.find((n) => n.id === "hi_1")!.connections, {}, "the copy's link to end is dropped");
    assert.deepEqual(doc.layout!.ask_1, { x: 40, y: 40 });
  });

  it("adding a node writes a position for every node, so the layout is whole from then on", () => {
    const next = connect(addNode(flow, { id: "bye", type: "end", content: {} }, { x: 10.4, y: 460.6 }, positions), "end", "default", "bye");
    assert.deepEqual(next.layout, { ...positions, bye: { x: 10, y: 461 } });
    assert.deepEqual(next.nodes.at(-2)!.connections, { default: "bye" });
  });

  it("offers the variables the flow writes or names in templates", () => {
    assert.deepEqual(variablesInScope(flow), ["context.channel", "context.locale", "user.name"]);
  });

  it("a new node's content has what its type's schema requires", () => {
    const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
    // The text of a message or question may come from the content library instead, so none is required.
    assert.deepEqual(defaultFor(json(messageContent), json(messageContent)), {});
    assert.deepEqual(defaultFor(json(questionContent), json(questionContent)), { variable: "" });
  });

  it("describes what changed between versions in sentences", () => {
    const after: FlowDocument = { ...flow, nodes: [{ ...flow.nodes[0]!, content: { question: "Your name?", variable: "user.name" } }, flow.nodes[1]!] };
    assert.deepEqual(diffFlows(flow, after).map((c) => c.text), ["Removed end node end.", 'ask: question "Name?" → "Your name?".']);
  });
});
