import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ValidationError } from "../../sdk/platform-error.ts";
import { toHttpError } from "./http-error.ts";

/**
 * What the gateway refuses before any route sees a request, each in the documented shape
 * `{ "error": { "code", "message" } }`: bodies nested deeper than any API of ours needs (a
 * 20,000-deep array overflowed the stack of whatever walked it next), NUL bytes (PostgreSQL
 * refuses them in text, so they surfaced as 500s), and the errors Fastify and Node's HTTP parser
 * answer on their own (an over-long path parameter, a header Node cannot parse).
 */

/** Deeper than any body the API takes (flows nest a handful of levels); webhooks from vendors too. */
export const MAX_BODY_DEPTH = 64;

/**
 * Checks JSON text in one pass before it is parsed: nesting depth, and NUL written as `\u0000`
 * inside a string (a raw NUL is already invalid JSON). Cheaper than parsing, and never recursive.
 */
export function checkJsonText(text: string): void {
  if (plainlyShallow(text)) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (text.charCodeAt(i + 1) === 0x75 /* u */ && text.slice(i + 2, i + 6) === "0000") throw nulRefused("body");
        i++;
      } else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > MAX_BODY_DEPTH) {
        throw new ValidationError("BODY_TOO_DEEP", `The body nests deeper than ${MAX_BODY_DEPTH} levels`);
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
}

/**
 * The common case, answered by native string searches instead of a loop over every character: no
 * `\u0000` anywhere (so none inside a string), and no more than MAX_BODY_DEPTH opening brackets in
 * all (so no deeper nesting, wherever they stand). Anything else gets the full scan above.
 */
function plainlyShallow(text: string): boolean {
  if (text.includes("\\u0000")) return false;
  let opened = 0;
  for (const bracket of ["{", "["]) {
    for (let at = text.indexOf(bracket); at !== -1; at = text.indexOf(bracket, at + 1)) {
      if (++opened > MAX_BODY_DEPTH) return false;
    }
  }
  return true;
}

export function nulRefused(where: string): ValidationError {
  return new ValidationError("NUL_NOT_ALLOWED", `The ${where} contains a NUL byte, which is never valid here`);
}

/** Refuses NUL anywhere in the URL: path parameters and the query string are decoded from it. */
export function checkUrl(url: string): void {
  if (url.includes("\u0000") || /%00/i.test(url)) throw nulRefused("URL");
}

/** Refuses NUL in a form's (or a multipart form's) field names and text values. */
export function checkFormFields(fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (name.includes("\u0000")) throw nulRefused("form");
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (typeof v === "string" && v.includes("\u0000")) throw nulRefused("form");
  }
}

/**
 * Fastify's `frameworkErrors`: errors its router raises before a route runs (a malformed URL,
 * a path parameter longer than the router keeps), answered like any other error.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const http = toHttpError(error);
  void reply.code(http.status).headers(http.headers).send(http.body);
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request (a NUL or another bad
 * byte in a header, headers too large, a timeout) before there is a request to reply to, so the
 * answer is written to the socket by hand, in the same shape as every other error.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "REQUEST_TIMEOUT", "The request took too long to arrive"]
    : error.code === "HPE_HEADER_OVERFLOW" ? [431, "HEADERS_TOO_LARGE", "The request line or headers are larger than this server accepts"]
    : [400, "BAD_REQUEST", "The request could not be read (a header or the request line holds a byte HTTP does not allow)"];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
