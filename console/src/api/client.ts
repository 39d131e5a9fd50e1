/**
 * The one place that talks HTTP to the platform's public API and adds credentials: an
 * openapi-fetch client typed by `schema.d.ts`, which scripts/build-console.sh generates with
 * openapi-typescript from the platform's OpenAPI document (so a route's schema change shows up
 * here as a type error, not as a broken page).
 *
 * Two ways to be signed in (see auth/session.ts):
 * - cookie: a person's session (`POST /v1/auth/sessions`); the browser sends the HttpOnly cookie
 *   (`credentials: "same-origin"`) and unsafe methods carry `x-csrf-token`;
 * - key: a tenant admin key (`sk_…`) sent as `Authorization: Bearer`, kept in sessionStorage only.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.d.ts";

export type { components, paths };
export type Credentials = { kind: "cookie"; csrfToken: string } | { kind: "key"; key: string } | { kind: "none" };

let credentials: Credentials = { kind: "none" };
let onUnauthorized: () => void = () => undefined;

export function setCredentials(next: Credentials): void {
  credentials = next;
}
export function currentCredentials(): Credentials {
  return credentials;
}
/** Called when a signed-in call answers 401 (the key was revoked, the session expired). */
export function handleUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

export type ProblemDetail = { node: string; problem: string };

/** An error answer of the API: `{ error: { code, message, details? } }` (the document's `Error`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ProblemDetail[];
  constructor(status: number, code: string, message: string, details: ProblemDetail[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Requests that must not carry the signed-in person's credentials (signing in, reading the session). */
const ANONYMOUS = "x-console-anonymous";

const credentialsMiddleware: Middleware = {
  onRequest({ request }) {
    if (request.headers.has(ANONYMOUS)) {
      request.headers.delete(ANONYMOUS);
      return request;
    }
    if (credentials.kind === "key") request.headers.set("authorization", `Bearer ${credentials.key}`);
    if (credentials.kind === "cookie" && UNSAFE.has(request.method)) request.headers.set("x-csrf-token", credentials.csrfToken);
    // Marks the request as signed in, for the 401 handling below.
    request.headers.set("x-console-signed-in", "1");
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has("x-console-signed-in") && credentials.kind !== "none") onUnauthorized();
    return response;
  },
};

/** The typed client: `api.GET("/v1/admin/bots")`, paths and bodies checked against the document. */
export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin", headers: { accept: "application/json" } });
api.use(credentialsMiddleware);

/** Headers for a call that goes out without the person's credentials. */
export const anonymous = { [ANONYMOUS]: "1" };

type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * The data of a successful answer, or an ApiError from the documented error envelope (a network
 * failure becomes NETWORK_ERROR; an abort stays an AbortError).
 */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "NETWORK_ERROR", "The platform could not be reached. Check your connection and try again.");
  }
  const { response } = answer;
  if (response.ok) return answer.data as T;
  const error = (answer.error as components["schemas"]["Error"] | undefined)?.error;
  const details = Array.isArray(error?.details) ? (error.details as ProblemDetail[]) : [];
  throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `The platform answered ${response.status}`, details);
}

/** A sentence for a person, from any error. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
