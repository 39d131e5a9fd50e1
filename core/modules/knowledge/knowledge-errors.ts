import { ErrorKind, PayloadTooLargeError, PlatformError, RateLimitedError } from "../../sdk/platform-error.ts";

/** The knowledge room's error codes. */
export const KnowledgeErrorCode = {
  /** The document is larger than the upload limit. */
  tooLarge: "KNOWLEDGE_TOO_LARGE",
  /** A kind of document we do not read. */
  unsupportedType: "KNOWLEDGE_UNSUPPORTED_TYPE",
  /** A supported kind that could not be read (a corrupt PDF). */
  unreadable: "KNOWLEDGE_UNREADABLE",
  /** The document holds no text. */
  empty: "KNOWLEDGE_EMPTY",
  /** An upload without its `file` form field. */
  fileRequired: "KNOWLEDGE_FILE_REQUIRED",
  /** No such knowledge source of this bot. */
  sourceNotFound: "KNOWLEDGE_SOURCE_NOT_FOUND",
  /** The source is being ingested already. */
  ingestionInProgress: "KNOWLEDGE_INGESTION_IN_PROGRESS",
  /** Ingestion failed on our side (stored on the source). */
  ingestionFailed: "KNOWLEDGE_INGESTION_FAILED",
  /** The crawl stopped when its node shut down; re-ingest. */
  ingestionInterrupted: "KNOWLEDGE_INGESTION_INTERRUPTED",
  /** The site's robots.txt does not allow the crawl. */
  robotsDisallowed: "KNOWLEDGE_ROBOTS_DISALLOWED",
  /** The site (or its robots.txt) answered an HTTP error. */
  fetchFailed: "KNOWLEDGE_FETCH_FAILED",
  /** A zip (DOCX) that unpacks to far more than it weighs: a decompression bomb, or near enough. */
  compressionRatio: "KNOWLEDGE_COMPRESSION_RATIO_EXCEEDED",
  /** Reading the document took more memory than a document reader is given (huge or pathological structure). */
  documentTooComplex: "KNOWLEDGE_DOCUMENT_TOO_COMPLEX",
  /** Reading the document took longer than KNOWLEDGE_PARSE_TIMEOUT_MS. */
  documentTimeout: "KNOWLEDGE_DOCUMENT_TIMEOUT",
  /** One CSV record (row) is larger than any passage could hold. */
  recordTooLarge: "KNOWLEDGE_RECORD_TOO_LARGE",
  /** The tenant has as many ingestions running and waiting as it may: retry after Retry-After. */
  ingestionBusy: "KNOWLEDGE_INGESTION_BUSY",
  /** The tenant sent more uploads this minute than KNOWLEDGE_UPLOADS_PER_MINUTE. */
  uploadRateLimited: "KNOWLEDGE_UPLOAD_RATE_LIMITED",
  /** A search whose params do not match the schema. */
  queryInvalid: "KNOWLEDGE_QUERY_INVALID",
} as const;

/** The knowledge room's coded errors, named by what the admin must do about them. */
export function knowledgeTooLarge(bytes: number, limit: number): PlatformError {
  return new PayloadTooLargeError(KnowledgeErrorCode.tooLarge, `The document is ${bytes} bytes; the limit is ${limit} bytes`);
}

export function unsupportedType(detail: string): PlatformError {
  return new PlatformError(KnowledgeErrorCode.unsupportedType, `This kind of document is not supported: ${detail}. Send PDF, DOCX, plain text, Markdown, CSV or HTML`, { status: 415, kind: ErrorKind.user });
}

/** The content is of a supported type but could not be read (a corrupt PDF, a CSV with unbalanced quotes). */
export function unreadable(type: string, reason: string): PlatformError {
  return new PlatformError(KnowledgeErrorCode.unreadable, `The ${type} document could not be read: ${reason}`, { status: 422, kind: ErrorKind.user });
}

export function emptyDocument(): PlatformError {
  return new PlatformError(KnowledgeErrorCode.empty, "The document holds no text to index", { status: 422, kind: ErrorKind.user });
}

/** Declared or actual unpacked size of a zip past its limit (413, like an upload past its own). */
export function expandsTooLarge(bytes: number, limit: number): PlatformError {
  return new PayloadTooLargeError(KnowledgeErrorCode.tooLarge, `The document unpacks to more than ${bytes} bytes; the limit is ${limit} bytes`);
}

export function compressionRatioExceeded(ratio: number, limit: number): PlatformError {
  return new PlatformError(KnowledgeErrorCode.compressionRatio, `The document unpacks to ${Math.floor(ratio)} times its size; at most ${limit} times is accepted`, { status: 413, kind: ErrorKind.user });
}

export function documentTooComplex(memoryMb: number): PlatformError {
  return new PlatformError(KnowledgeErrorCode.documentTooComplex, `Reading the document needed more than the ${memoryMb} MB a document reader is given; split it into smaller documents`, { status: 422, kind: ErrorKind.user });
}

export function documentTimeout(timeoutMs: number): PlatformError {
  return new PlatformError(KnowledgeErrorCode.documentTimeout, `Reading the document took longer than ${timeoutMs} ms; split it into smaller documents`, { status: 422, kind: ErrorKind.user });
}

export function recordTooLarge(limit: number): PlatformError {
  return new PlatformError(KnowledgeErrorCode.recordTooLarge, `A CSV record is larger than ${limit} bytes (an unclosed quote makes the rest of the file one field); check the quoting`, { status: 422, kind: ErrorKind.user });
}

export function ingestionBusy(running: number, waiting: number, retryAfterSeconds: number): PlatformError {
  return new RateLimitedError(KnowledgeErrorCode.ingestionBusy, `This tenant has ${running} documents being ingested and ${waiting} waiting, as many as it may; try again shortly`, retryAfterSeconds);
}
