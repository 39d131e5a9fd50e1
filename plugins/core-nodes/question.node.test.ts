import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { runNode } from "../../core/testing/flow-kit.ts";
import coreNodes from "./index.ts";

async function answer(content: Record<string, unknown>, text: string | undefined, extra: { choice?: string; attempts?: number; connections?: Record<string, string> } = {}) {
  return runNode(coreNodes, "question", {
    content: { question: "?", variable: "user.answer", ...content },
    input: { text, ...(extra.choice ? { choice: extra.choice } : {}) },
    state: { attempts: extra.attempts ?? 0 },
    connections: extra.connections ?? { default: "next", error: "help" },
  });
}
const accepted = async (content: Record<string, unknown>, text: string) => {
  const { result, vars } = await answer(content, text);
  assert.equal(result.next, "default", `expected "${text}" to be accepted, got ${JSON.stringify(result)}`);
  return vars.user!.answer;
};
const refused = async (content: Record<string, unknown>, text: string) => {
  const { result } = await answer(content, text);
  assert.ok(result.wait, `expected "${text}" to be refused`);
  return result;
};

describe("a question", () => {
  it("asks, with buttons for a choice, and waits", async () => {
    const { result } = await runNode(coreNodes, "question", { content: { question: "Size?", input_type: "choice", variable: "user.size", choices: [{ label: "Small", value: "s" }, { label: "Large", value: "l" }] } });
    assert.deepEqual(result.messages, [{ type: "buttons", text: "Size?", buttons: [{ label: "Small", value: "s" }, { label: "Large", value: "l" }] }]);
    assert.equal(result.wait?.type, "choice");
  });

  it("takes an email and stores it lower-cased; refuses a non-email", async () => {
    assert.equal(await accepted({ input_type: "email" }, " Ada@Example.COM "), "ada@example.com");
    const result = await refused({ input_type: "email" }, "ada at example");
    await refused({ input_type: "email" }, "ada@example.com.");
    assert.deepEqual(result.messages, [{ type: "text", text: "Please enter a valid email address." }]);
  });

  it("takes a phone number in common notations", async () => {
    assert.equal(await accepted({ input_type: "phone" }, "+44 (20) 7946-0958"), "+442079460958");
    await refused({ input_type: "phone" }, "call me maybe");
  });

  it("takes a real ISO date within its range", async () => {
    assert.equal(await accepted({ input_type: "date" }, "2026-02-28"), "2026-02-28");
    await refused({ input_type: "date" }, "2026-02-31");
    await refused({ input_type: "date", validation: { min: "2026-01-01" } }, "2025-12-31");
  });

  it("takes a number within its range", async () => {
    assert.equal(await accepted({ input_type: "number", validation: { min: 1, max: 10 } }, "7,5"), 7.5);
    await refused({ input_type: "number", validation: { min: 1, max: 10 } }, "11");
    await refused({ input_type: "number" }, "seven");
  });

  it("takes a choice by label, by value, by number or by button, and follows the value's connection", async () => {
    const content = { input_type: "choice", choices: [{ label: "Small", value: "s" }, { label: "Large", value: "l" }] };
    assert.equal(await accepted(content, "large"), "l");
    assert.equal(await accepted(content, "S"), "s");
    assert.equal(await accepted(content, "2"), "l");
    const clicked = await answer(content, undefined, { choice: "l", connections: { default: "next", l: "big" } });
    assert.equal(clicked.result.next, "l");
    await refused(content, "medium");
  });

  it("applies the pattern and the required rule", async () => {
    await refused({ validation: { pattern: "^[A-Z]{3}$" } }, "abcd");
    await refused({}, "   ");
    const optional = await answer({ validation: { required: false } }, "");
    assert.equal(optional.result.next, "default");
  });

  it("re-asks with the error message, then follows `error` after the last attempt", async () => {
    const content = { input_type: "number", max_attempts: 2, validation: { error_message: "A number, please, {{user.name}}" } };
    const first = await runNode(coreNodes, "question", { content: { question: "?", variable: "user.n", ...content }, vars: { user: { name: "Ada" } }, input: { text: "x" }, state: { attempts: 0 }, connections: { error: "help" } });
    assert.deepEqual(first.result.messages, [{ type: "text", text: "A number, please, Ada" }]);
    assert.deepEqual(first.result.state, { attempts: 1 });
    const last = await answer(content, "y", { attempts: 1 });
    assert.equal(last.result.next, "error");
    const noWayOut = await answer(content, "y", { attempts: 1, connections: { default: "next" } });
    assert.ok(noWayOut.result.wait, "without an `error` connection it keeps asking");
  });

  it("refuses an invalid pattern or a choice without choices at validation", () => {
    const validate = coreNodes.implementation.nodeTypes!.question.validate!;
    const base = { question: "?", input_type: "text" as const, variable: "user.x", validation: { required: true }, max_attempts: 3 };
    assert.match(validate({ ...base, validation: { required: true, pattern: "([" } }, { id: "q", connections: {} })[0]!, /not a valid regular expression/);
    assert.match(validate({ ...base, input_type: "choice" }, { id: "q", connections: {} })[0]!, /needs `choices`/);
  });
});

describe("an action", () => {
  it("sets with templates (keeping a lone value's type), unsets, increments and appends", async () => {
    const { vars } = await runNode(coreNodes, "action", {
      content: { actions: [
        { op: "set", variable: "session.greeting", value: "Hi {{user.name}}" },
        { op: "set", variable: "session.age", value: "{{user.age}}" },
        { op: "unset", variable: "user.old" },
        { op: "increment", variable: "session.visits" },
        { op: "increment", variable: "session.visits", by: 2 },
        { op: "append", variable: "session.items", value: { name: "{{user.name}}" } },
      ] },
      vars: { user: { name: "Ada", age: 36, old: true } },
    });
    assert.deepEqual(vars.session, { greeting: "Hi Ada", age: 36, visits: 3, items: [{ name: "Ada" }] });
    assert.deepEqual(vars.user, { name: "Ada", age: 36 });
  });
});

describe("a condition", () => {
  it("follows the first rule that holds, else `else`", async () => {
    const content = { conditions: [{ if: { ">": [{ var: "user.age" }, 60] }, then: "senior" }, { if: { ">=": [{ var: "user.age" }, 18] }, then: "adult" }], else: "young" };
    const adult = await runNode(coreNodes, "condition", { content, vars: { user: { age: 30 } } });
    assert.equal(adult.result.next, "when_1");
    const young = await runNode(coreNodes, "condition", { content, vars: { user: { age: 3 } } });
    assert.equal(young.result.next, "else");
  });
});
