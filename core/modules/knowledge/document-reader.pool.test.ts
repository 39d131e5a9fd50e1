import assert from "node:assert/strict";
import { createDocumentReaderPool } from "./document-reader.pool.ts";

const split = { maxTokens: 200, overlapTokens: 0 };
const zip = { maxExpandedBytes: 64 * 1024 * 1024, maxRatio: 100 };
/** A CSV of many short rows: every row becomes objects and strings on the reader's heap. */
const manyRows = (rows: number) => Buffer.from(`a,b\n${"1,2\n".repeat(rows)}`);

describe("document reader pool", function () {
  this.timeout(30_000);

  it("reads a document in a worker thread and hands back its passages", async () => {
    const pool = createDocumentReaderPool({ size: 1, memoryMb: 128, timeoutMs: 10_000, split, zip });
    try {
      const read = await pool.read(Buffer.from("# Returns\n\nReturns are free within 30 days."), { name: "returns.md" });
      assert.equal(read.type, "markdown");
      assert.equal(read.chunks[0]!.heading, "Returns");
    } finally {
      await pool.close();
    }
  });

  it("a document that needs more heap than the worker has fails with 422 KNOWLEDGE_DOCUMENT_TOO_COMPLEX, and the next one is read", async () => {
    const pool = createDocumentReaderPool({ size: 1, memoryMb: 64, timeoutMs: 20_000, split, zip });
    try {
      await assert.rejects(pool.read(manyRows(3_000_000), { name: "rows.csv" }), { code: "KNOWLEDGE_DOCUMENT_TOO_COMPLEX", status: 422 });
      const next = await pool.read(Buffer.from("Still reading."), { name: "note.txt" });
      assert.equal(next.chunks[0]!.text, "Still reading.");
    } finally {
      await pool.close();
    }
  });

  it("a document that takes too long is stopped with 422 KNOWLEDGE_DOCUMENT_TIMEOUT while the main thread keeps its timers", async () => {
    const pool = createDocumentReaderPool({ size: 1, memoryMb: 512, timeoutMs: 200, split, zip });
    try {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const started = Date.now();
      await assert.rejects(pool.read(manyRows(2_000_000), { name: "rows.csv" }), { code: "KNOWLEDGE_DOCUMENT_TIMEOUT", status: 422 });
      clearInterval(ticker);
      assert.ok(Date.now() - started < 5000, "stopped near its timeout");
      assert.ok(ticks >= 5, `the main thread ran its timers meanwhile (${ticks} ticks)`);
      // A fresh worker's start is not charged to the next document's 200 ms.
      assert.equal((await pool.read(Buffer.from("Next."), { name: "n.txt" })).chunks[0]!.text, "Next.");
    } finally {
      await pool.close();
    }
  });

  it("waits its turn when every worker is busy, in order", async () => {
    const pool = createDocumentReaderPool({ size: 1, memoryMb: 128, timeoutMs: 10_000, split, zip });
    try {
      const order: string[] = [];
      await Promise.all(["one", "two", "three"].map((text) => pool.read(Buffer.from(text), { name: `${text}.txt` }).then((r) => order.push(r.chunks[0]!.text))));
      assert.deepEqual(order, ["one", "two", "three"]);
    } finally {
      await pool.close();
    }
  });
});
