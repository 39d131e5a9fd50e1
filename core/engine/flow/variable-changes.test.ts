import assert from "node:assert/strict";
import { variableChanges } from "./variable-changes.ts";

describe("what a turn changed in the variables", () => {
  it("lists set, changed and removed leaves by path, nested objects at their leaves, and skips temp", () => {
    const before = { user: { name: "Ada", plan: { tier: "free" }, tags: ["a"] }, session: { step: 1 }, context: { channel: "web" }, temp: { x: 1 } };
    const after = { user: { name: "Ada", plan: { tier: "paid" }, email: "ada@example.com", tags: ["a", "b"], address: { city: "Paris" } }, session: {}, context: { channel: "web" }, temp: { x: 2 } };
    assert.deepEqual(variableChanges(before, after), [
      { path: "user.plan.tier", before: "free", after: "paid" },
      { path: "user.tags", before: ["a"], after: ["a", "b"] },
      { path: "user.email", before: null, after: "ada@example.com" },
      { path: "user.address.city", before: null, after: "Paris" },
      { path: "session.step", before: 1, after: null },
    ]);
  });

  it("reports nothing for a turn that changed nothing", () => {
    const same = { user: { name: "Ada" }, session: {} };
    assert.deepEqual(variableChanges(same, structuredClone(same)), []);
  });
});
