import assert from "node:assert/strict";
import { splitText } from "./split-text.ts";

describe("splitText (a long message cut to a channel's limit)", () => {
  it("leaves a text that fits alone", () => {
    assert.deepEqual(splitText("Hello there.", 20), ["Hello there."]);
  });

  it("cuts at a paragraph break, then a sentence's end, then a space, never past the limit", () => {
    const text = `${"a".repeat(30)} first.\n\n${"b".repeat(30)} second. ${"c".repeat(20)} third`;
    const parts = splitText(text, 50);
    assert.ok(parts.every((p) => p.length <= 50), JSON.stringify(parts));
    assert.equal(parts[0], `${"a".repeat(30)} first.`);
    assert.equal(parts[1], `${"b".repeat(30)} second.`);
    assert.equal(parts.join(" ").replace(/\s+/g, " "), text.replace(/\s+/g, " "), "nothing is lost");
  });

  it("cuts a word longer than the limit where it must", () => {
    assert.deepEqual(splitText("x".repeat(25), 10), ["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
  });
});
