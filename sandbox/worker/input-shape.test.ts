import assert from "node:assert/strict";
import { inputShape } from "./input-shape.ts";

describe("the shape of an input, for priming a spare context", () => {
  it("keeps the keys, the nesting and the kind of each value, and none of the values", () => {
    const input = { name: "Ada Lovelace", email: "ada@example.com", age: 36, balance: 12.5, vip: true, note: null, items: [{ sku: "SKU-1", qty: 2 }, { sku: "SKU-2", qty: 1 }], tags: [] };
    const shape = inputShape(JSON.stringify(input));
    assert.deepEqual(JSON.parse(shape), { name: "", email: "", age: 0, balance: 0.5, vip: false, note: null, items: [{ sku: "", qty: 0 }], tags: [] });
    for (const secret of ["Ada", "ada@example.com", "36", "12.5", "SKU-1"]) assert.ok(!shape.includes(secret), `the shape holds ${secret}`);
  });

  it("treats a key named __proto__ as a key", () => {
    assert.deepEqual(JSON.parse(inputShape('{"__proto__":{"x":"secret"},"a":1}')), JSON.parse('{"__proto__":{"x":""},"a":0}'));
  });

  it("gives nothing for plain values, large inputs and dictionaries with many keys", () => {
    assert.equal(inputShape('"text"'), "");
    assert.equal(inputShape("42"), "");
    assert.equal(inputShape("{not json"), "");
    assert.equal(inputShape(JSON.stringify({ text: "x".repeat(70_000) })), "");
    assert.equal(inputShape(JSON.stringify(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`user${i}@example.com`, i])))), "");
  });
});
