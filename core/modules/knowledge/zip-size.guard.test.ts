import assert from "node:assert/strict";
import { minimalDocx, zip } from "../../../test/knowledge/document-fixtures.ts";
import { assertZipExpandsReasonably } from "./zip-size.guard.ts";

describe("zip size guard", () => {
  it("lets an ordinary Word document through", () => {
    assert.doesNotThrow(() => assertZipExpandsReasonably(minimalDocx(["hello"]), 1024));
  });

  it("refuses a zip that would unpack far beyond the upload limit, with 413 KNOWLEDGE_TOO_LARGE", () => {
    const bomb = zip({ "word/document.xml": "a".repeat(2_000_000) });
    assert.ok(bomb.length < 10_000, "it compresses to almost nothing");
    assert.throws(() => assertZipExpandsReasonably(bomb, 10_000), { code: "KNOWLEDGE_TOO_LARGE", status: 413 });
  });
});
