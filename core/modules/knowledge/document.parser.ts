import { parse as parseCsv } from "csv-parse/sync";
import { extractText, getDocumentProxy } from "unpdf";
import { DocumentType, decodeText } from "./content-type.sniffer.ts";
import { fragmentToMarkdown, htmlToMarkdown } from "./html-to-markdown.ts";
import { emptyDocument, unreadable } from "./knowledge-errors.ts";

/** A stretch of a document's text (Markdown-flavoured, headings kept) and where it came from. */
export type DocumentSection = { text: string; page?: number };
export type ParsedDocument = { title?: string; sections: DocumentSection[] };

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

function csvToText(source: string): string {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(source, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    throw unreadable("CSV", (error as Error).message.slice(0, 200));
  }
  return rows
    .map((row) => Object.entries(row).filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => `${k}: ${v}`).join("\n"))
    .filter(Boolean)
    .join("\n\n");
}
