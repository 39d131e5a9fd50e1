import assert from "node:assert/strict";
import { minimalDocx, zip } from "../../../test/knowledge/document-fixtures.ts";
import { assertZipExpandsReasonably, assertZipInflatesReasonably } from "./zip-size.guard.ts";

const limits = { maxExpandedBytes: 4 * 1024 * 1024, maxRatio: 100 };

/** A zip whose directory claims `declared` bytes per entry, whatever the entries really hold. */
function lyingZip(entries: Record<string, string>, declared: number): Buffer {
  const bytes = Buffer.from(zip(entries));
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = bytes.readUInt32LE(end + 16);
  for (let i = 0; i < Object.keys(entries).length; i++) {
    bytes.writeUInt32LE(declared, offset + 24);
    bytes.writeUInt32LE(declared, bytes.readUInt32LE(offset + 42) + 22);
    offset += 46 + bytes.readUInt16LE(offset + 28);
  }
  return bytes;
}

describe("zip size guard", () => {
  it("lets an ordinary Word document through", async () => {
    assert.doesNotThrow(() => assertZipExpandsReasonably(minimalDocx(["hello"]), limits));
    await assertZipInflatesReasonably(minimalDocx(["hello"]), limits);
  });

  it("refuses a zip whose directory declares more than the expanded limit, with 413 KNOWLEDGE_TOO_LARGE", () => {
    const big = zip({ "word/document.xml": "a".repeat(5 * 1024 * 1024) });
    assert.throws(() => assertZipExpandsReasonably(big, { maxExpandedBytes: 4 * 1024 * 1024, maxRatio: 1_000_000 }), { code: "KNOWLEDGE_TOO_LARGE", status: 413 });
  });

  it("refuses a zip that unpacks to far more than it weighs, with 413 KNOWLEDGE_COMPRESSION_RATIO_EXCEEDED", () => {
    const bomb = zip({ "word/document.xml": "a".repeat(2_000_000) });
    assert.ok(bomb.length < 10_000, "it compresses to almost nothing");
    assert.throws(() => assertZipExpandsReasonably(bomb, limits), { code: "KNOWLEDGE_COMPRESSION_RATIO_EXCEEDED", status: 413 });
  });

  it("catches a zip that lies about its sizes by counting what it really inflates to", async () => {
    const liar = lyingZip({ "word/document.xml": "a".repeat(8 * 1024 * 1024) }, 100);
    assert.doesNotThrow(() => assertZipExpandsReasonably(liar, limits), "its directory looks harmless");
    await assert.rejects(assertZipInflatesReasonably(liar, limits), { status: 413 });
  });
});
