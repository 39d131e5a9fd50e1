import http from "node:http";
import https from "node:https";

/**
 * The `fetch` the WhatsApp SDK calls, over node:http with kept-alive sockets. Every reply a bot
 * sends is one Graph API call, made on the event loop that also answers Meta's webhooks: the
 * built-in fetch (undici's web streams, Request and Headers objects) costs about three times the
 * CPU of a plain node:http request for the same small JSON POST. Bodies other than a string
 * (media uploads as FormData) go through the built-in fetch, which knows how to encode them.
 */
const agents = { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) };

export function graphFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = typeof input === "string" ? new URL(input) : input;
  if ((init.body !== undefined && init.body !== null && typeof init.body !== "string") || !(url.protocol in agents)) return fetch(url, init);
  const body = init.body ?? undefined;
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  const protocol = url.protocol as keyof typeof agents;
  const client = protocol === "https:" ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const request = client.request(url, { method: init.method ?? "GET", headers, agent: agents[protocol], signal: init.signal ?? undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const status = res.statusCode ?? 502;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, one);
        }
        // A Response may carry no body with these statuses (the Fetch standard's null body statuses).
        const empty = status === 101 || status === 204 || status === 205 || status === 304;
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: responseHeaders }));
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}
