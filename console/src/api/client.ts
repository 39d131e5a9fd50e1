/**
 * The one place that talks HTTP to the platform's public API and adds credentials.
 *
 * Two ways to be signed in (see auth/session.ts):
 * - cookie: a person's session (`POST /v1/auth/sessions`); the browser sends the HttpOnly cookie
 *   (`credentials: "same-origin"`) and unsafe methods carry `x-csrf-token`;
 * - key: a tenant admin key (`sk_…`) sent as `Authorization: Bearer`, kept in sessionStorage only.
 *
 * Each feature folder has a small typed `api.ts` on top of `request`. The types mirror the API's
 * zod schemas; they are written by hand because /docs/openapi.json does not validate yet (a
 * recursive schema's $ref is missing), so openapi-typescript cannot generate them.
 */
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

/** An error answer of the API: `{ error: { code, message, details? } }`. */
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

export async function request<T>(method: string, path: string, body?: unknown, init: { signal?: AbortSignal; anonymous?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (!init.anonymous) {
    if (credentials.kind === "key") headers.authorization = `Bearer ${credentials.key}`;
    if (credentials.kind === "cookie" && UNSAFE.has(method)) headers["x-csrf-token"] = credentials.csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin", signal: init.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "NETWORK_ERROR", "The platform could not be reached. Check your connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: ProblemDetail[]; data?: { details?: ProblemDetail[] } } } | undefined)?.error;
    if (response.status === 401 && !init.anonymous && credentials.kind !== "none") onUnauthorized();
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `The platform answered ${response.status}`, error?.details ?? error?.data?.details ?? []);
  }
  return parsed as T;
}

/** A sentence for a person, from any error. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
