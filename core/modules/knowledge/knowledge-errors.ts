import { ErrorKind, PayloadTooLargeError, PlatformError } from "../../sdk/platform-error.ts";

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
