import { parse as parseCsv } from "csv-parse/sync";
import { extractText, getDocumentProxy } from "unpdf";
import { DocumentType, decodeText, sniffDocumentType } from "./content-type.sniffer.ts";
import { fragmentToMarkdown, htmlToMarkdown } from "./html-to-markdown.ts";
import { emptyDocument, recordTooLarge, unreadable } from "./knowledge-errors.ts";
import { splitIntoChunks, type SplitOptions, type TextChunk } from "./text.splitter.ts";
import { assertZipExpandsReasonably, assertZipInflatesReasonably, type ZipLimits } from "./zip-size.guard.ts";

/** A stretch of a document's text (Markdown-flavoured, headings kept) and where it came from. */
export type DocumentSection = { text: string; page?: number };
export type ParsedDocument = { title?: string; sections: DocumentSection[] };

/** One document to read: its bytes, its type when known (else sniffed, with the name's help), and the limits. */
export type ReadJob = { bytes: Uint8Array; name: string; type?: DocumentType; split: SplitOptions; zip: ZipLimits };
/** A document read and split: what the worker hands back (plain data, cloned across threads). */
export type ReadDocument = { type: DocumentType; title?: string; pageCount: number; chunks: TextChunk[] };

/**
 * Everything done to a document's bytes before embedding: sniffing its type, the zip checks, the
 * parse, the split. This is the work the document reader's worker runs (document-reader.pool.ts),
 * so nothing here may block the node's main thread.
 */
export async function readDocument(job: ReadJob): Promise<ReadDocument> {
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const type = job.type ?? sniffDocumentType(bytes, job.name);
  if (type === DocumentType.docx) {
    assertZipExpandsReasonably(bytes, job.zip);
    await assertZipInflatesReasonably(bytes, job.zip);
  }
  const parsed = await parseDocument(bytes, type);
  const pageCount = Math.max(1, ...parsed.sections.map((s) => s.page ?? 1));
  return { type, title: parsed.title, pageCount, chunks: splitIntoChunks(parsed.sections, job.split) };
}

/**
 * Turns a document's bytes into text sections. PDFs keep one section per page (so a passage can
 * name its page); DOCX and HTML become Markdown so their headings guide the splitter; each CSV row
 * becomes a paragraph of `column: value` lines, so a row is retrieved whole with its headers.
 */
export async function parseDocument(bytes: Buffer, type: DocumentType): Promise<ParsedDocument> {
  const parsed = await parseByType(bytes, type);
  const sections = parsed.sections.map((s) => ({ ...s, text: s.text.trim() })).filter((s) => s.text.length > 0);
  if (sections.length === 0) throw emptyDocument();
  return { ...parsed, sections };
}

async function parseByType(bytes: Buffer, type: DocumentType): Promise<ParsedDocument> {
  switch (type) {
    case DocumentType.pdf:
      return parsePdf(bytes);
    case DocumentType.docx:
      return parseDocx(bytes);
    case DocumentType.html: {
      const page = htmlToMarkdown(text(bytes));
      return { title: page.title, sections: [{ text: page.markdown }] };
    }
    case DocumentType.csv:
      return { sections: [{ text: csvToText(text(bytes)) }] };
    case DocumentType.markdown:
    case DocumentType.text:
      return { sections: [{ text: text(bytes).replace(/\r\n?/g, "\n") }] };
  }
}

function text(bytes: Buffer): string {
  return decodeText(bytes) ?? "";
}

async function parsePdf(bytes: Buffer): Promise<ParsedDocument> {
  try {
    // pdf.js takes ownership of the buffer it is given, so it gets a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    const { text: pages } = await extractText(pdf, { mergePages: false });
    const info = await pdf.getMetadata().catch(() => undefined);
    await pdf.loadingTask.destroy();
    const title = (info?.info as { Title?: unknown } | undefined)?.Title;
    return { title: typeof title === "string" && title.trim() ? title.trim() : undefined, sections: pages.map((page, i) => ({ text: page, page: i + 1 })) };
  } catch (error) {
    throw unreadable("PDF", (error as Error).message.slice(0, 200));
  }
}

async function parseDocx(bytes: Buffer): Promise<ParsedDocument> {
  let html: string;
  try {
    // Loaded with the first DOCX: most nodes never read one, and it weighs on every start.
    const { default: mammoth } = await import("mammoth");
    html = (await mammoth.convertToHtml({ buffer: bytes })).value;
  } catch (error) {
    throw unreadable("DOCX", (error as Error).message.slice(0, 200));
  }
  return { sections: [{ text: fragmentToMarkdown(html) }] };
}

/**
 * Largest CSV record read, in bytes. A row is one passage; a bigger one is an unclosed quote (the
 * rest of the file read as one field) or not a table at all, and csv-parse stops at once rather
 * than building a multi-megabyte field.
 */
const CSV_MAX_RECORD_BYTES = 1024 * 1024;

function csvToText(source: string): string {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(source, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, max_record_size: CSV_MAX_RECORD_BYTES });
  } catch (error) {
    if ((error as { code?: unknown }).code === "CSV_MAX_RECORD_SIZE") throw recordTooLarge(CSV_MAX_RECORD_BYTES);
    throw unreadable("CSV", (error as Error).message.slice(0, 200));
  }
  return rows
    .map((row) => Object.entries(row).filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => `${k}: ${v}`).join("\n"))
    .filter(Boolean)
    .join("\n\n");
}
