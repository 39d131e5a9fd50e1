import { ErrorKind, PlatformError, isPlatformError } from "../../sdk/platform-error.ts";
import { safeFetch, type SafeFetchPolicy } from "../../kernel/net/safe-fetch.ts";
import type { SafeFetchResponse } from "../../sdk/node-type.ts";
import { DocumentType, looksLikeHtml } from "./content-type.sniffer.ts";
import { knowledgeTooLarge, unsupportedType } from "./knowledge-errors.ts";
import { CRAWLER_AGENT } from "./robots-txt.ts";
import { FetchErrorCode } from "../../sdk/fetch-error-code.ts";
import { KnowledgeErrorCode } from "./knowledge-errors.ts";

export type FetchLimits = { policy: SafeFetchPolicy; maxBytes: number; timeoutMs?: number };
export type FetchedDocument = { url: string; type: DocumentType; text: string };

const headers = { "user-agent": `${CRAWLER_AGENT}/1.0`, accept: "text/html, text/markdown, text/plain, text/csv;q=0.9, */*;q=0.1" };

/**
 * GETs a URL through the SSRF guard (safe-fetch.ts: private addresses refused unless
 * ALLOW_PRIVATE_NETWORKS, redirects re-checked, size and time capped). Answers the raw response;
 * the guard's coded errors pass through, except its size error, which becomes
 * KNOWLEDGE_TOO_LARGE like an upload's.
 */
export async function fetchUrl(url: string, limits: FetchLimits): Promise<SafeFetchResponse> {
  try {
    return await safeFetch(url, { headers, maxBytes: limits.maxBytes, timeoutMs: limits.timeoutMs ?? 15_000, maxRedirects: 5 }, limits.policy);
  } catch (error) {
    if (isPlatformError(error) && error.code === FetchErrorCode.tooLarge) throw knowledgeTooLarge(limits.maxBytes + 1, limits.maxBytes);
    throw error;
  }
}

/**
 * One web document as text. safe-fetch hands back bodies as UTF-8 text, so only text formats
 * (HTML, Markdown, CSV, plain text) can come from a URL; PDFs and Word files must be uploaded.
 */
export async function fetchDocument(url: string, limits: FetchLimits): Promise<FetchedDocument> {
  const response = await fetchUrl(url, limits);
  if (response.status >= 400) {
    throw new PlatformError(KnowledgeErrorCode.fetchFailed, `${url} answered HTTP ${response.status}`, { status: 422, kind: ErrorKind.user, data: { httpStatus: response.status } });
  }
  return { url: response.url, type: typeFromResponse(response), text: response.body };
}

export function typeFromResponse(response: SafeFetchResponse): DocumentType {
  const mime = (response.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const path = new URL(response.url).pathname.toLowerCase();
  if (mime === "text/html" || mime === "application/xhtml+xml") return DocumentType.html;
  if (mime === "text/markdown" || (mime === "text/plain" && /\.(md|markdown)$/.test(path))) return DocumentType.markdown;
  if (mime === "text/csv") return DocumentType.csv;
  if (mime === "text/plain" || mime === "") return looksLikeHtml(response.body) ? DocumentType.html : DocumentType.text;
  if (mime === "application/pdf" || mime.includes("officedocument")) throw unsupportedType(`${mime} from a URL (upload the file instead)`);
  throw unsupportedType(mime);
}
