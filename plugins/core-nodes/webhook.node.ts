/**
 * webhook: calls a tenant's HTTP endpoint and maps the JSON response into variables.
 *
 * - URL, headers and body are templates; `{{secret:name}}` is filled by `ctx.resolveSecrets` just
 *   before the call and the result is used for the call only: logs show the URL rendered without
 *   secrets, and nothing of the request is stored;
 * - the call goes through `ctx.fetch` (the platform's SSRF guard), with a timeout, and carries
 *   the turn's `Idempotency-Key`;
 * - 5xx, 429, timeouts and network failures are retried with exponential backoff (each wait at
 *   most 5 s: the user is waiting); other 4xx are not (the SDK's `retryWithBackoff`);
 * - a circuit breaker per tenant and target host refuses calls for a while after repeated failures
 *   (`ctx.circuits`, kept by the platform: shared by every broker node when Redis is configured);
 *   keyed by tenant too, so one tenant's broken (or hostile) target cannot trip another's;
 * - `response_mapping` reads the JSON response with JSONPath (script expressions disabled);
 * - success follows `success` (or `default`), failure follows `error`.
 */
import { JSONPath } from "jsonpath-plus";
import { defineNodeType, isPlatformError, loneVariable, retryWithBackoff, z, type NodeContext, type NodeHandler, type NodeValidator, type SafeFetchResponse } from "../../core/sdk/index.ts";

/** Headers the HTTP client owns; a flow setting them could smuggle or mis-frame a request. */
const reservedHeaders = new Set(["host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive", "proxy-authorization", "idempotency-key"]);
const MAX_BACKOFF_MS = 5_000;

const variable = z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, "a variable path like user.name");

export const webhookContent = z.object({
  url: z.string().min(1).max(2048)
    .describe("The endpoint to call, starting with http:// or https:// (or a lone `{{scope.path}}`); `{{scope.path}}` templates allowed, their values URL-encoded"),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST").describe("The HTTP method; default POST"),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(4096))
    .refine((headers) => Object.keys(headers).every((name) => !reservedHeaders.has(name.toLowerCase())), "Host, Content-Length, Idempotency-Key and the like are set by the platform")
    .default({})
    .describe("Extra request headers, name → value; values are templates and may use `{{secret:name}}`, filled in at call time and never stored"),
  body: z.unknown().optional()
    .describe("The request body (not sent with GET): a template string, or JSON whose strings are templates; `{{secret:name}}` allowed, and a lone `{{scope.path}}` keeps its type"),
  timeout_ms: z.number().int().min(100).max(30_000).default(10_000).describe("How long each try waits for an answer, in milliseconds (100–30000); default 10000"),
  retries: z.number().int().min(0).max(5).default(2).describe("How many more tries after a 5xx, 429, timeout or network failure (0–5); default 2"),
  backoff_ms: z.number().int().min(0).max(10_000).default(300)
    .describe("The wait before the first retry, in milliseconds, growing with each further retry up to 5 seconds; default 300"),
  response_mapping: z.array(z.object({
    variable: variable.describe("The variable that receives the value, as a path like `user.plan`"),
    path: z.string().startsWith("$").max(500).describe("A JSONPath into the JSON response, starting with `$`, e.g. `$.data.plan`"),
  })).max(50).default([]).describe("Variables to fill from the JSON response; none by default"),
  status_variable: variable.optional().describe("A variable that receives the response's HTTP status code, e.g. `session.lead_status`"),
  circuit: z.object({
    failure_threshold: z.number().int().min(1).max(100).default(5).describe("Failures in a row that open the circuit; default 5"),
    reset_ms: z.number().int().min(100).max(600_000).default(30_000).describe("How long an open circuit refuses calls before trying again, in milliseconds; default 30000"),
  }).default({ failure_threshold: 5, reset_ms: 30_000 })
    .describe("The circuit breaker for this tenant and host: after repeated failures, calls are refused for a while and the node follows `error`"),
}).meta({ examples: [{ url: "https://api.example.com/leads", method: "POST", body: { email: "{{user.email}}" } }] });
export type WebhookContent = z.infer<typeof webhookContent>;

export const webhookNode = defineNodeType({
  type: "webhook",
  description: "Calls an HTTP endpoint and maps the JSON response into variables.",
  content: webhookContent,
  connections: ["default", "success", "error"],
  sideEffects: true,
});

export const validateWebhook: NodeValidator<WebhookContent> = (content, node) => {
  const problems: string[] = [];
  if (!/^https?:\/\//i.test(content.url) && !content.url.startsWith("{{")) problems.push("url must start with http:// or https://");
  if (node.connections.error === undefined) problems.push("it needs an `error` connection for when the call fails");
  return problems;
};

class CallFailed extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly status: number | undefined;
  /** Why, in words the tenant can act on (a refused host, a refused secret), when the platform said. */
  readonly reason: string | undefined;
  constructor(code: string, retryable: boolean, status?: number, reason?: string) { super(code); this.code = code; this.retryable = retryable; this.status = status; this.reason = reason; }
}

async function renderBody(ctx: NodeContext<WebhookContent>, value: unknown, host: string): Promise<unknown> {
  if (typeof value === "string") {
    const only = loneVariable(value);
    return only ? ctx.vars.get(only.ref) : ctx.resolveSecrets(value, { host });
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => renderBody(ctx, v, host)));
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await renderBody(ctx, v, host)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

/** What went wrong with one try, as the node reports it. */
function failureOf(error: unknown): CallFailed {
  if (error instanceof CallFailed) return error;
  return isPlatformError(error) ? new CallFailed(error.code, error.retryable, undefined, error.message) : new CallFailed("FETCH_FAILED", true);
}

export const runWebhook: NodeHandler<WebhookContent> = async (ctx) => {
  const content = ctx.node.content;
  // Values substituted into a URL are percent-encoded, so `a&admin=1` stays one value; a URL that
  // is one placeholder (a base URL kept in a variable) is taken as it is.
  const urlOptions = loneVariable(content.url) ? {} : { encode: encodeURIComponent };
  const shownUrl = ctx.render(content.url, urlOptions); // secrets still as {{secret:name}}: safe to log
  const onError = (code: string, status?: number, reason?: string) => {
    ctx.log.warn("Webhook call failed; following `error`", { url: shownUrl, code, status, reason });
    // For analytics and the conversation's events the tenant reads in the inbox: the call's outcome
    // and the platform's reason (an SSRF refusal names the blocked address), never its URL or body.
    ctx.emit("conversation.webhook.called", { outcome: "error", code, status: status ?? null, ...(reason ? { reason } : {}) });
    if (content.status_variable && status !== undefined) ctx.vars.set(content.status_variable, status);
    return { next: "error" };
  };

  let url: string;
  let host: string;
  const headers: Record<string, string> = {};
  let body: string | undefined;
  try {
    url = await ctx.resolveSecrets(content.url, urlOptions);
    host = new URL(url).host;
    // Secrets go only in headers and bodies, and only to a host the tenant allowed for each.
    const toHost = { host: new URL(url).hostname };
    for (const [name, value] of Object.entries(content.headers)) headers[name.toLowerCase()] = await ctx.resolveSecrets(value, toHost);
    if (content.body !== undefined && content.method !== "GET") {
      body = typeof content.body === "string" ? await ctx.resolveSecrets(content.body, toHost) : JSON.stringify(await renderBody(ctx, content.body, toHost.host));
      if (typeof content.body !== "string") headers["content-type"] ??= "application/json";
    }
  } catch (error) {
    return isPlatformError(error) ? onError(error.code, undefined, error.message) : onError("WEBHOOK_REQUEST_INVALID");
  }
  headers["idempotency-key"] = ctx.idempotencyKey;

  const circuitKey = `${ctx.tenantId}|${host}`;
  const circuit = { threshold: content.circuit.failure_threshold, resetMs: content.circuit.reset_ms };
  let response: SafeFetchResponse;
  try {
    // Each try goes through the breaker, so every failed try counts and an open circuit stops the retries.
    response = await retryWithBackoff(() => ctx.circuits.run(circuitKey, circuit, async () => {
      const answered = await ctx.fetch(url, { method: content.method, headers, body, timeoutMs: content.timeout_ms });
      if (answered.status >= 500 || answered.status === 429) throw new CallFailed("WEBHOOK_HTTP_ERROR", true, answered.status);
      return answered;
    }), {
      retries: content.retries,
      baseMs: content.backoff_ms,
      maxMs: MAX_BACKOFF_MS,
      retryable: (error) => failureOf(error).retryable,
      onRetry: (error, attempt) => {
        const failed = failureOf(error);
        ctx.log.info("Webhook call failed; retrying", { url: shownUrl, code: failed.code, status: failed.status, attempt });
      },
      signal: ctx.signal,
    });
  } catch (error) {
    const failed = failureOf(error);
    return onError(failed.code, failed.status, failed.reason);
  }

  if (content.status_variable) ctx.vars.set(content.status_variable, response.status);
  if (response.status >= 400) return onError("WEBHOOK_HTTP_ERROR", response.status);
  if (content.response_mapping.length > 0) {
    let json: unknown;
    try { json = JSON.parse(response.body); } catch {
      ctx.log.warn("Webhook response is not JSON; nothing mapped", { url: shownUrl, status: response.status });
    }
    if (json !== undefined) {
      for (const { variable, path } of content.response_mapping) {
        const value: unknown = JSONPath({ path, json: json as object, wrap: false, eval: false });
        ctx.vars.set(variable, value);
      }
    }
  }
  ctx.emit("conversation.webhook.called", { outcome: "ok", code: null, status: response.status });
  return { next: ctx.node.connections.success !== undefined ? "success" : "default" };
};
