import { ErrorKind, PayloadTooLargeError, PlatformError } from "../../sdk/platform-error.ts";

/** The knowledge room's coded errors, named by what the admin must do about them. */
export function knowledgeTooLarge(bytes: number, limit: number): PlatformError {
  return new PayloadTooLargeError(`The document is ${bytes} bytes; the limit is ${limit} bytes`, "KNOWLEDGE_TOO_LARGE");
}

export function unsupportedType(detail: string): PlatformError {
  return new PlatformError("KNOWLEDGE_UNSUPPORTED_TYPE", `This kind of document is not supported: ${detail}. Send PDF, DOCX, plain text, Markdown, CSV or HTML`, { status: 415, kind: ErrorKind.user });
}

/** The content is of a supported type but could not be read (a corrupt PDF, a CSV with unbalanced quotes). */
export function unreadable(type: string, reason: string): PlatformError {
  return new PlatformError("KNOWLEDGE_UNREADABLE", `The ${type} document could not be read: ${reason}`, { status: 422, kind: ErrorKind.user });
}

export function emptyDocument(): PlatformError {
  return new PlatformError("KNOWLEDGE_EMPTY", "The document holds no text to index", { status: 422, kind: ErrorKind.user });
}
