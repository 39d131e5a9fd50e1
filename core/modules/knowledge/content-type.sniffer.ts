import { unsupportedType } from "./knowledge-errors.ts";

/** What a document is, decided by its bytes; the name's extension only chooses among text flavours. */
export const DocumentType = {
  pdf: "pdf",
  docx: "docx",
  html: "html",
  csv: "csv",
  markdown: "markdown",
  text: "text",
} as const;
export type DocumentType = (typeof DocumentType)[keyof typeof DocumentType];

const zipMagic = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Sniffs the type from the content, never trusting the name alone: a `.pdf` that is really a PNG
 * is refused, and an HTML page named `notes.txt` is read as HTML. Throws 415
 * KNOWLEDGE_UNSUPPORTED_TYPE for anything else (images, other zip formats, binary).
 */
export function sniffDocumentType(bytes: Buffer, name: string): DocumentType {
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return DocumentType.pdf;
  if (bytes.subarray(0, 4).equals(zipMagic)) {
    // A DOCX is a zip whose entries include word/document.xml; the name sits in plain bytes in
    // both the local header and the central directory (zip does not compress names).
    if (bytes.includes("word/document.xml")) return DocumentType.docx;
    throw unsupportedType("a zip archive that is not a Word document");
  }
  const extension = name.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? "";
  // A name that promises a binary format the bytes are not (a web page saved as invoice.pdf) is a
  // mistake or a disguise: refused, so the tenant sees it rather than finding HTML in its answers.
  if (extension === "pdf") throw unsupportedType("a file named .pdf that is not a PDF");
  if (extension === "docx") throw unsupportedType("a file named .docx that is not a Word document");
  const text = decodeText(bytes);
  if (text === undefined) throw unsupportedType("binary content");
  if (looksLikeHtml(text) || extension === "html" || extension === "htm") return DocumentType.html;
  if (extension === "csv") return DocumentType.csv;
  if (extension === "md" || extension === "markdown") return DocumentType.markdown;
  return DocumentType.text;
}

/** UTF-8 text without NUL bytes (which no text format here contains), else undefined. */
export function decodeText(bytes: Buffer): string | undefined {
  try {
    const text = utf8.decode(bytes);
    return text.includes("\0") ? undefined : text.replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  }
}

export function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 2048).trimStart().toLowerCase();
  return head.startsWith("<!doctype html") || head.startsWith("<html") || /<(head|body)[\s>]/.test(head);
}
