import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { FlowInvalidError, assertValidFlow, validateFlow } from "../../core/engine/flow/flow-validator.ts";
import { createNodeTypeRegistry } from "../../core/engine/flow/node-type-registry.ts";
import { isPlatformError } from "../../core/sdk/index.ts";
import coreNodes from "./index.ts";

const registry = createNodeTypeRegistry([coreNodes]);
const say = (id: string, next?: string, text = "hi") => ({ id, type: "message", content: { messages: [{ type: "text", text }] }, connections: next ? { default: next } : {} });
const end = (id = "done") => ({ id, type: "end", content: {} });

function problemsOf(flow: unknown) {
  return validateFlow(flow, registry);
}
function expectProblem(flow: unknown, node: string, fragment: string) {
  const problems = problemsOf(flow);
  assert.ok(problems.some((p) => p.node === node && p.problem.includes(fragment)), `expected "${fragment}" on ${node}, got ${JSON.stringify(problems)}`);
}

describe("validating a flow", () => {
  it("names a node of an unknown type", () => {
    expectProblem({ start: "a", nodes: [say("a", "b"), { id: "b", type: "teleport", content: {} }] }, "b", 'unknown node type "teleport"');
  });

  it("names a node whose connection leads to a missing node", () => {
    expectProblem({ start: "a", nodes: [say("a", "nowhere")] }, "a", '"nowhere", which is not a node');
  });

  it("names a node that cannot be reached from the start", () => {
    expectProblem({ start: "a", nodes: [say("a", "done"), end(), say("orphan", "done")] }, "orphan", "no path from the start");
  });

  it("says when there is no start, or the start is not a node", () => {
    expectProblem({ nodes: [end()] }, "(flow)", "no start node");
    expectProblem({ start: "ghost", nodes: [end()] }, "(flow)", 'start names "ghost"');
  });

  it("names a question without a variable", () => {
    expectProblem({ start: "q", nodes: [{ id: "q", type: "question", content: { question: "Name?" }, connections: { default: "done" } }, end()] }, "q", "content.variable");
  });

  it("names a condition with invalid JSON-Logic, and refuses the `method` operation", () => {
    const flow = (rule: unknown) => ({ start: "c", nodes: [{ id: "c", type: "condition", content: { conditions: [{ if: rule, then: "done" }], else: "done" } }, end()] });
    expectProblem(flow({ teleport: [1, 2] }), "c", 'not valid JSON-Logic: unknown operation "teleport"');
    expectProblem(flow({ method: [{ var: "user.name" }, "constructor"] }), "c", 'unknown operation "method"');
    expectProblem(flow({ "==": [1, 1], "!=": [1, 2] }), "c", "exactly one key");
  });

  it("names a template or variable using an unknown scope", () => {
    expectProblem({ start: "a", nodes: [say("a", "done", "Hi {{customer.name}}"), end()] }, "a", 'unknown scope "customer"');
    expectProblem({ start: "q", nodes: [{ id: "q", type: "question", content: { question: "?", variable: "secret.x" }, connections: { default: "done" } }, end()] }, "q", 'variable "secret.x"');
    expectProblem({ start: "a", nodes: [say("a", "done", "Hi {{ user name }}"), end()] }, "a", "is not a placeholder");
    expectProblem({ start: "c", nodes: [{ id: "c", type: "condition", content: { conditions: [{ if: { var: "db.rows" }, then: "done" }], else: "done" } }, end()] }, "c", 'reads variable "db.rows"');
  });

  it("names a cycle that never waits for input, and accepts one that does", () => {
    expectProblem({ start: "a", nodes: [say("a", "b"), say("b", "a")] }, "a", "no node waits for input");
    const waiting = { start: "a", nodes: [say("a", "q"), { id: "q", type: "question", content: { question: "Again?", variable: "user.x" }, connections: { default: "a" } }] };
    assert.deepEqual(problemsOf(waiting), []);
  });

  it("refuses webhook headers the HTTP client owns", () => {
    const hook = { id: "h", type: "webhook", content: { url: "https://example.com/x", headers: { Host: "internal" } }, connections: { success: "done", error: "done" } };
    expectProblem({ start: "h", nodes: [hook, end()] }, "h", "set by the platform");
  });

  it("names a connection a node type does not have", () => {
    expectProblem({ start: "a", nodes: [{ ...say("a"), connections: { sideways: "done" } }, end()] }, "a", 'no "sideways" connection');
  });

  it("checks a composite's sub-flow in its own scopes", () => {
    const flow = {
      start: "c",
      nodes: [
        { id: "c", type: "composite", content: { inputs: [{ name: "n", value: "{{user.name}}" }], flow: { start: "s", nodes: [say("s", undefined, "Hi {{user.name}}")] } }, connections: { default: "done" } },
        end(),
      ],
    };
    expectProblem(flow, "c/s", 'unknown scope "user"');
  });

  it("throws one 422 FLOW_INVALID error listing every problem", () => {
    const flow = { start: "a", nodes: [say("a", "nowhere"), { id: "b", type: "teleport" }] };
    assert.throws(() => assertValidFlow(flow, registry), (error: unknown) => {
      assert.ok(error instanceof FlowInvalidError && isPlatformError(error));
      assert.equal(error.code, "FLOW_INVALID");
      assert.equal(error.status, 422);
      const details = error.data?.details as { node: string; problem: string }[];
      assert.deepEqual(new Set(details.map((d) => d.node)), new Set(["a", "b"]));
      return true;
    });
  });
});
