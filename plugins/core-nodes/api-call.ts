/**
 * An action's `call` entry: one HTTP call made in the middle of an action node, whose JSON answer
 * is mapped into variables. It exists so the seed's `api_call` action (with `circuit_breaker` and
 * `fallback_response`) runs as the seed means it; a flow that needs retries, a status variable or
 * a long body should use a webhook node.
 *
 * - URL, headers and body are templates; `{{secret:name}}` is filled just before the call (never
 *   stored or logged). A URL starting with `/` is relative to the tenant's `api_base_url` secret
 *   (the seed's calls name paths of its own API, `/api/users/...`).
 * - The call goes through `ctx.fetch` (the SSRF guard) with the turn's Idempotency-Key, and through
 *   the webhook node's circuit breaker (the same breakers, keyed by tenant and host), so a host the
 *   webhook nodes found broken is not called from an action either, and the other way round.
 * - When the call gives no answer (circuit open, network failure, timeout, an HTTP error) and the
 *   entry has a `fallback`, the fallback stands in for the answer: it is mapped like one.
 */
import { JSONPath } from "jsonpath-plus";
import { isPlatformError, z, type NodeContext, type SafeFetchResponse } from "../../core/sdk/index.ts";

const variable = z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, "a variable path like user.name");

export const apiCallEntry = z.object({
  op: z.literal("call").describe("What this entry does"),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST").describe("The HTTP method; default POST"),
  url: z.string().min(1).max(2048)
    .describe("The address to call: `https://…`, a lone `{{scope.path}}`, or a `/path` relative to the tenant's `api_base_url` secret; `{{scope.path}}` templates allowed"),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(4096)).default({})
    .describe("Extra request headers, name → value; values are templates and may use `{{secret:name}}`, filled in only at call time"),
  body: z.unknown().optional()
    .describe("The JSON body (not sent with GET); its strings are templates that may use `{{secret:name}}`, and a lone `{{scope.path}}` keeps its type"),
  timeout_ms: z.number().int().min(100).max(30_000).default(10_000).describe("How long to wait for the answer, in milliseconds (100–30000); default 10000"),
  response_mapping: z.array(z.object({
    variable: variable.describe("The variable that receives the value, as a path like `user.plan`"),
    path: z.string().startsWith("$").max(500).describe("A JSONPath into the JSON answer, starting with `$`, e.g. `$.data.plan`"),
  })).max(50).default([]).describe("Variables to fill from the JSON answer (or from the fallback); none by default"),
  circuit: z.object({
    failure_threshold: z.number().int().min(1).max(100).default(5).describe("Failures in a row that open the circuit; default 5"),
    reset_ms: z.number().int().min(100).max(600_000).default(30_000).describe("How long an open circuit refuses calls before trying again, in milliseconds; default 30000"),
  }).default({ failure_threshold: 5, reset_ms: 30_000 })
    .describe("The circuit breaker for this tenant and host, shared with webhook nodes: after repeated failures, calls are refused for a while"),
  fallback: z.unknown().optional()
    .describe("The answer to use when the call gives none (open circuit, network error, timeout, HTTP error), mapped like a real one; without it a failed call follows `error`"),
}).describe("Calls an HTTP API and maps its JSON answer into variables");
export type ApiCallEntry = z.infer<typeof apiCallEntry>;

export const API_BASE_URL_SECRET = "api_base_url";

const lone = /^\{\{\s*([a-z][a-z0-9_]*(?:\.[A-Za-z0-9_-]+)+)\s*\}\}$/;
const reservedHeaders = new Set(["host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive", "proxy-authorization", "idempotency-key"]);

export function apiCallProblems(entry: ApiCallEntry, index: number): string[] {
  const problems: string[] = [];
  if (!/^https?:\/\//i.test(entry.url) && !entry.url.startsWith("/") && !entry.url.startsWith("{{")) problems.push(`actions[${index}].url must start with http://, https:// or / (relative to the ${API_BASE_URL_SECRET} secret)`);
  for (const name of Object.keys(entry.headers)) if (reservedHeaders.has(name.toLowerCase())) problems.push(`actions[${index}].headers: ${name} is set by the platform`);
  return problems;
}

async function renderBody(ctx: NodeContext<unknown>, value: unknown, host: string): Promise<unknown> {
  if (typeof value === "string") {
    const only = lone.exec(value);
    return only ? ctx.vars.get(only[1]!) : ctx.resolveSecrets(value, { host });
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => renderBody(ctx, v, host)));
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await renderBody(ctx, v, host)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

async function resolveUrl(ctx: NodeContext<unknown>, url: string): Promise<string> {
  if (lone.test(url)) return ctx.resolveSecrets(url);
  const rendered = await ctx.resolveSecrets(url, { encode: encodeURIComponent });
  if (!url.startsWith("/")) return rendered;
  // The seed keeps its API's base URL as a secret: a URL, not a credential, whose host must still be allowed for it.
  const base = await ctx.resolveSecrets(`{{secret:${API_BASE_URL_SECRET}}}`, { baseUrl: true });
  return new URL(base.replace(/\/+$/, "") + rendered).toString();
}

function mapAnswer(ctx: NodeContext<unknown>, entry: ApiCallEntry, json: unknown): void {
  if (json === null || typeof json !== "object") return;
  for (const { variable, path } of entry.response_mapping) {
    ctx.vars.set(variable, structuredClone(JSONPath({ path, json: json as object, wrap: false, eval: false }) as unknown));
  }
}

/** Makes the call; true when an answer (or the fallback) was mapped, false when it failed without one. */
export async function runApiCall(ctx: NodeContext<unknown>, entry: ApiCallEntry): Promise<{ ok: boolean; fellBack: boolean }> {
  const shownUrl = ctx.render(entry.url, lone.test(entry.url) ? {} : { encode: encodeURIComponent });
  const fail = (code: string, status?: number) => {
    if (entry.fallback === undefined) {
      ctx.log.warn("API call failed", { url: shownUrl, code, status });
      return { ok: false, fellBack: false };
    }
    ctx.log.warn("API call failed; using its fallback answer", { url: shownUrl, code, status });
    mapAnswer(ctx, entry, entry.fallback);
    return { ok: true, fellBack: true };
  };

  let url: string;
  const headers: Record<string, string> = {};
  let body: string | undefined;
  try {
    url = await resolveUrl(ctx, entry.url);
    // Secrets go only in headers and bodies, and only to a host the tenant allowed for each.
    const host = new URL(url).hostname;
    for (const [name, value] of Object.entries(entry.headers)) headers[name.toLowerCase()] = await ctx.resolveSecrets(value, { host });
    if (entry.body !== undefined && entry.method !== "GET") {
      body = JSON.stringify(await renderBody(ctx, entry.body, host));
      headers["content-type"] ??= "application/json";
    }
  } catch (error) {
    return fail(isPlatformError(error) ? error.code : "API_CALL_INVALID");
  }
  headers["idempotency-key"] = ctx.idempotencyKey;

  const circuitKey = `${ctx.tenantId}|${new URL(url).host}`;
  const circuit = { threshold: entry.circuit.failure_threshold, resetMs: entry.circuit.reset_ms };
  let answer: SafeFetchResponse;
  try {
    // The webhook node's breakers (ctx.circuits, shared by the cluster): a 5xx or 429 counts as a failure.
    answer = await ctx.circuits.run(circuitKey, circuit, async () => {
      const answered = await ctx.fetch(url, { method: entry.method, headers, body, timeoutMs: entry.timeout_ms });
      if (answered.status >= 500 || answered.status === 429) throw new ServerAnswered(answered.status);
      return answered;
    });
  } catch (error) {
    if (error instanceof ServerAnswered) return fail("API_CALL_HTTP_ERROR", error.status);
    return fail(isPlatformError(error) ? error.code : "FETCH_FAILED");
  }
  if (answer.status >= 400) return fail("API_CALL_HTTP_ERROR", answer.status);
  if (entry.response_mapping.length > 0) {
    try { mapAnswer(ctx, entry, JSON.parse(answer.body)); } catch {
      ctx.log.warn("API call answer is not JSON; nothing mapped", { url: shownUrl, status: answer.status });
    }
  }
  return { ok: true, fellBack: false };
}

/** A 5xx or 429 answer, thrown inside the breaker so that it counts as a failure there. */
class ServerAnswered extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`The API answered ${status}`);
    this.status = status;
  }
}
