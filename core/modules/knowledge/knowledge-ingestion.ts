import { createHash } from "node:crypto";
import { sniffDocumentType } from "./content-type.sniffer.ts";
import { parseDocument, type DocumentSection } from "./document.parser.ts";
import { emptyDocument, knowledgeTooLarge } from "./knowledge-errors.ts";
import { crawlSite, type CrawlOptions } from "./site.crawler.ts";
import { assertZipExpandsReasonably } from "./zip-size.guard.ts";
import { splitIntoChunks, type SplitOptions, type TextChunk } from "./text.splitter.ts";
import { fetchDocument, type FetchLimits } from "./web.fetcher.ts";

/** Where a source's content comes from; the same description re-ingests it later. */
export type SourceOrigin =
  | { kind: "file"; name: string; bytes: Buffer }
  | { kind: "url"; url: string }
  | { kind: "crawl"; url: string; maxPages: number };

/** A source read and split, ready to embed: its passages (each with the page URL it came from). */
export type PreparedSource = {
  contentType: string;
  contentHash: string;
  byteSize: number;
  pageCount: number;
  title?: string;
  chunks: (TextChunk & { url?: string })[];
};

export type IngestionLimits = FetchLimits & { split: SplitOptions };

/**
 * Reads a source and splits it into passages. Nothing here touches the database or the embedder,
 * so the service can compare the content hash with what is stored before doing either.
 */
export async function prepareSource(origin: SourceOrigin, limits: IngestionLimits, crawlOptions: CrawlOptions = {}): Promise<PreparedSource> {
  if (origin.kind === "file") {
    if (origin.bytes.length > limits.maxBytes) throw knowledgeTooLarge(origin.bytes.length, limits.maxBytes);
    const type = sniffDocumentType(origin.bytes, origin.name);
    if (type === "docx") assertZipExpandsReasonably(origin.bytes, limits.maxBytes);
    return prepared(type, origin.bytes.length, [{ ...(await parseDocument(origin.bytes, type)) }], limits.split);
  }
  if (origin.kind === "url") {
    const fetched = await fetchDocument(origin.url, limits);
    const bytes = Buffer.from(fetched.text, "utf8");
    return prepared(fetched.type, bytes.length, [{ ...(await parseDocument(bytes, fetched.type)), url: fetched.url }], limits.split);
  }
  const crawl = await crawlSite(origin.url, origin.maxPages, limits, crawlOptions);
  const pages: { title?: string; sections: DocumentSection[]; url: string }[] = [];
  let size = 0;
  for (const page of crawl.pages) {
    const bytes = Buffer.from(page.text, "utf8");
    size += bytes.length;
    // An empty page (a bare link hub) is normal in a crawl: it adds nothing but does not fail it.
    const parsed = await parseDocument(bytes, page.type).catch(() => undefined);
    if (parsed) pages.push({ ...parsed, url: page.url });
  }
  return prepared("html", size, pages, limits.split);
}

function prepared(contentType: string, byteSize: number, parts: { title?: string; sections: DocumentSection[]; url?: string }[], split: SplitOptions): PreparedSource {
  const chunks = parts.flatMap((part) => splitIntoChunks(part.sections, split).map((chunk) => ({ ...chunk, url: part.url })));
  if (chunks.length === 0) throw emptyDocument();
  // The hash covers what would be indexed (and where it came from), so a re-ingest of an unchanged
  // source is recognised and skips re-embedding.
  const hash = createHash("sha256");
  for (const c of chunks) hash.update(`${c.url ?? ""}\u0000${c.page ?? ""}\u0000${c.heading ?? ""}\u0000${c.text}\u0001`);
  // Pages: a crawl's pages, or a PDF's; any other file is one page.
  const pageCount = parts.reduce((n, part) => n + (part.url ? 1 : Math.max(1, ...part.sections.map((s) => s.page ?? 1))), 0);
  return { contentType, contentHash: hash.digest("hex"), byteSize, pageCount, title: parts[0]?.title, chunks };
}

/** The text given to the embedder: the heading path travels with the passage it titles. */
export function embeddingText(chunk: TextChunk): string {
  return chunk.heading ? `${chunk.heading}\n${chunk.text}` : chunk.text;
}
