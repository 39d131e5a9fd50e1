import assert from "node:assert/strict";
import { minimalDocx, minimalPdf, zip } from "../../../test/knowledge/document-fixtures.ts";
import { sniffDocumentType } from "./content-type.sniffer.ts";

describe("document type sniffing", () => {
  it("reads the type from the bytes, whatever the name says", () => {
    assert.equal(sniffDocumentType(minimalPdf(["x"]), "notes.txt"), "pdf");
    assert.equal(sniffDocumentType(minimalDocx(["x"]), "file.bin"), "docx");
    assert.equal(sniffDocumentType(Buffer.from("\uFEFF<!DOCTYPE html><p>x</p>"), "a.txt"), "html");
    assert.equal(sniffDocumentType(Buffer.from("a,b\n1,2"), "t.csv"), "csv");
    assert.equal(sniffDocumentType(Buffer.from("# Title"), "README.md"), "markdown");
    assert.equal(sniffDocumentType(Buffer.from("plain words"), "x"), "text");
  });

  it("refuses a file whose name promises a PDF or a Word document its bytes are not", () => {
    assert.throws(() => sniffDocumentType(Buffer.from("<!DOCTYPE html><p>Pay now</p>"), "invoice.pdf"), (e: { code: string; status: number; message: string }) =>
      e.code === "KNOWLEDGE_UNSUPPORTED_TYPE" && e.status === 415 && /named \.pdf that is not a PDF/.test(e.message));
    assert.throws(() => sniffDocumentType(Buffer.from("plain words"), "Report.DOCX"), { code: "KNOWLEDGE_UNSUPPORTED_TYPE", status: 415 });
  });

  it("refuses binary, images and other zip formats with KNOWLEDGE_UNSUPPORTED_TYPE", () => {
    for (const bytes of [Buffer.from("89504e470d0a1a0a", "hex"), zip({ "xl/workbook.xml": "<x/>" }), Buffer.from([0x61, 0x00, 0x62]), Buffer.from([0xc3, 0x28])]) {
      assert.throws(() => sniffDocumentType(bytes, "a.pdf"), { code: "KNOWLEDGE_UNSUPPORTED_TYPE", status: 415 });
    }
  });
});
