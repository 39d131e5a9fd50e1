import assert from "node:assert/strict";
import { countTokens } from "gpt-tokenizer";
import { splitIntoChunks } from "./text.splitter.ts";

describe("text splitter", () => {
  it("keeps a short document whole, under its heading path", () => {
    const chunks = splitIntoChunks([{ text: "# Policies\n\n## Returns\n\nReturns are free within 30 days." }], { maxTokens: 100, overlapTokens: 10 });
    assert.deepEqual(chunks.map((c) => [c.heading, c.text]), [["Policies > Returns", "Returns are free within 30 days."]]);
  });

  it("starts a new passage at every heading, so sections never mix", () => {
    const chunks = splitIntoChunks([{ text: "# Shipping\nParcels leave on Tuesday.\n# Returns\nReturns are free.\n## Labels\nPrint the label." }], { maxTokens: 200, overlapTokens: 20 });
    assert.deepEqual(chunks.map((c) => c.heading), ["Shipping", "Returns", "Returns > Labels"]);
    assert.deepEqual(chunks.map((c) => c.text), ["Parcels leave on Tuesday.", "Returns are free.", "Print the label."]);
  });

  it("cuts long text at sentence boundaries within the token budget, with overlap", () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} talks about topic ${i}.`);
    const chunks = splitIntoChunks([{ text: sentences.join(" "), page: 3 }], { maxTokens: 60, overlapTokens: 15 });
    assert.ok(chunks.length > 3);
    for (const chunk of chunks) {
      assert.ok(countTokens(chunk.text) <= 60, `within budget: ${chunk.text}`);
      assert.match(chunk.text, /^Sentence number \d+ .*\.$/, "starts and ends on a sentence");
      assert.equal(chunk.page, 3);
    }
    for (let i = 1; i < chunks.length; i++) {
      const lastOfPrevious = chunks[i - 1]!.text.split(/(?<=\.) /).at(-1)!;
      assert.ok(chunks[i]!.text.startsWith(lastOfPrevious), "the next passage repeats the end of the previous one");
    }
    const all = chunks.map((c) => c.text).join(" ");
    for (const s of sentences) assert.ok(all.includes(s), `nothing is lost: ${s}`);
  });

  it("cuts a single enormous word rather than exceeding the budget", () => {
    const chunks = splitIntoChunks([{ text: "x".repeat(5000) }], { maxTokens: 50, overlapTokens: 0 });
    assert.ok(chunks.length > 1);
    assert.ok(chunks.every((c) => c.tokenCount <= 50));
    assert.equal(chunks.map((c) => c.text).join(""), "x".repeat(5000));
  });

  it("splits a megabyte-long word in linear time (the tokenizer is quadratic in one word's length)", function () {
    this.timeout(10_000);
    // Counted whole, 200 KB of one word took 18 s; this is five times that.
    const started = Date.now();
    const chunks = splitIntoChunks([{ text: "x".repeat(1024 * 1024) }], { maxTokens: 500, overlapTokens: 0 });
    assert.equal(chunks.map((c) => c.text).join("").length, 1024 * 1024);
    assert.ok(chunks.every((c) => c.tokenCount <= 500));
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it("does not take a # inside a code block for a heading", () => {
    const chunks = splitIntoChunks([{ text: "# Setup\n```sh\n# install it\nnpm i\n```" }], { maxTokens: 100, overlapTokens: 0 });
    assert.deepEqual(chunks.map((c) => c.heading), ["Setup"]);
  });
});
