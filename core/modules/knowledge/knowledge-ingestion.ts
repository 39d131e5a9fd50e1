import { createHash } from "node:crypto";
import { DocumentType } from "./content-type.sniffer.ts";
import type { DocumentReader } from "./document-reader.pool.ts";
import type { ReadDocument } from "./document.parser.ts";
import { emptyDocument, knowledgeTooLarge } from "./knowledge-errors.ts";
import { crawlSite, type CrawlOptions } from "./site.crawler.ts";
import { assertZipExpandsReasonably, type ZipLimits } from "./zip-size.guard.ts";
import type { SplitOptions, TextChunk } from "./text.splitter.ts";
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

export type IngestionLimits = FetchLimits & { split: SplitOptions; zip: ZipLimits };

/**
 * Reads a source and splits it into passages. Nothing here touches the database or the embedder,
 * so the service can compare the content hash with what is stored before doing either. Parsing
 * and splitting run in the document reader's worker threads (`reader`), never on this thread.
 */
export async function prepareSource(origin: SourceOrigin, limits: IngestionLimits, reader: DocumentReader, crawlOptions: CrawlOptions = {}): Promise<PreparedSource> {
  if (origin.kind === "file") {
    if (origin.bytes.length > limits.maxBytes) throw knowledgeTooLarge(origin.bytes.length, limits.maxBytes);
    // The zip's declared sizes are checked here, before a worker is spent on an obvious bomb; the
    // worker checks what it really inflates to.
    if (origin.bytes.subarray(0, 4).equals(zipMagic)) assertZipExpandsReasonably(origin.bytes, limits.zip);
    const read = await reader.read(origin.bytes, { name: origin.name });
    return prepared(read.type, origin.bytes.length, [read]);
  }
  if (origin.kind === "url") {
    const fetched = await fetchDocument(origin.url, limits);
    const bytes = Buffer.from(fetched.text, "utf8");
    return prepared(fetched.type, bytes.length, [{ ...(await reader.read(bytes, { name: fetched.url, type: fetched.type })), url: fetched.url }]);
  }
  const crawl = await crawlSite(origin.url, origin.maxPages, limits, crawlOptions);
  const pages: (ReadDocument & { url: string })[] = [];
  let size = 0;
  for (const page of crawl.pages) {
    const bytes = Buffer.from(page.text, "utf8");
    size += bytes.length;
    // An empty page (a bare link hub) is normal in a crawl: it adds nothing but does not fail it.
    const read = await reader.read(bytes, { name: page.url, type: page.type }).catch(() => undefined);
    if (read) pages.push({ ...read, url: page.url });
  }
  return prepared(DocumentType.html, size, pages);
}

const zipMagic = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

function prepared(contentType: string, byteSize: number, parts: (Omit<ReadDocument, "type"> & { url?: string })[]): PreparedSource {
  const chunks = parts.flatMap((part) => part.chunks.map((chunk) => ({ ...chunk, url: part.url })));
  if (chunks.length === 0) throw emptyDocument();
  // The hash covers what would be indexed (and where it came from), so a re-ingest of an unchanged
  // source is recognised and skips re-embedding.
  const hash = createHash("sha256");
  for (const c of chunks) hash.update(`${c.url ?? ""}\u0000${c.page ?? ""}\u0000${c.heading ?? ""}\u0000${c.text}\u0001`);
  // Pages: a crawl's pages, or a PDF's; any other file is one page.
  const pageCount = parts.reduce((n, part) => n + (part.url ? 1 : part.pageCount), 0);
  return { contentType, contentHash: hash.digest("hex"), byteSize, pageCount, title: parts[0]?.title, chunks };
}

/** The text given to the embedder: the heading path travels with the passage it titles. */
export function embeddingText(chunk: TextChunk): string {
  return chunk.heading ? `${chunk.heading}\n${chunk.text}` : chunk.text;
}
