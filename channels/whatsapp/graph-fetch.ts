import { Agent, request } from "undici";

/**
 * The `fetch` the WhatsApp SDK calls, over undici's `request` with kept-alive sockets. Every reply a
 * bot sends is one Graph API call, made on the event loop that also answers Meta's webhooks: the
 * built-in fetch (web streams, Request and Headers objects) costs about three times the CPU of a
 * plain request for the same small JSON POST, and `request` is undici's fast path without them.
 * Every stage has a time limit, so a Graph API that stops answering cannot hold a send (and the
 * inbound message's claim) forever. Bodies other than a string (media uploads as FormData) go
 * through the built-in fetch, which knows how to encode them, under an overall time limit.
 */
const agent = new Agent({
  keepAliveTimeout: 30_000,
  connect: { timeout: 5_000 },
  headersTimeout: 15_000,
  bodyTimeout: 30_000,
});
const UPLOAD_TIMEOUT_MS = 120_000;

// A Response may carry no body with these statuses (the Fetch standard's null body statuses).
const NULL_BODY = new Set([101, 204, 205, 304]);

export async function graphFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = typeof input === "string" ? new URL(input) : input;
  if ((init.body !== undefined && init.body !== null && typeof init.body !== "string") || (url.protocol !== "http:" && url.protocol !== "https:")) {
    const timeout = AbortSignal.timeout(UPLOAD_TIMEOUT_MS);
    return fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  }
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  const answer = await request(url, {
    method: (init.method ?? "GET") as "GET",
    headers,
    body: init.body ?? undefined,
    dispatcher: agent,
    signal: init.signal ?? undefined,
  });
  const bytes = Buffer.from(await answer.body.arrayBuffer());
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, one);
  }
  return new Response(NULL_BODY.has(answer.statusCode) ? null : bytes, { status: answer.statusCode, headers: responseHeaders });
}
