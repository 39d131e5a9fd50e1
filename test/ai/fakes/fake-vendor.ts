/**
 * What the vendor fakes share: a loopback HTTP server that records every request (path, headers,
 * JSON body) and answers with what the test scripted for it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type FakeToolCall = { id: string; name: string; args: Record<string, unknown> };
/** One scripted answer: text, tool calls, or an HTTP failure. */
export type FakeReply = { text?: string; toolCalls?: FakeToolCall[]; status?: number; usage?: { input: number; output: number; cached?: number }; /** Waits this long before answering (a slow model). */ delayMs?: number };
export type RecordedRequest = { method: string; path: string; headers: http.IncomingHttpHeaders; body: any };
export type Script = (body: any, request: RecordedRequest) => FakeReply;

export type FakeVendor = {
  url: string;
  requests: RecordedRequest[];
  /** What the next requests get; by default a fixed text. */
  script: Script;
  close(): Promise<void>;
};

export async function startFakeVendor(handle: (reply: FakeReply, request: RecordedRequest, res: http.ServerResponse) => void): Promise<FakeVendor> {
  const fake: FakeVendor = { url: "", requests: [], script: () => ({ text: "Hello from the fake." }), close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try { body = raw ? JSON.parse(raw) : undefined; } catch { body = raw; }
      const recorded: RecordedRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body };
      fake.requests.push(recorded);
      const reply = fake.script(body, recorded);
      if (reply.status && reply.status >= 400) {
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "scripted failure", type: "server_error", code: reply.status } }));
        return;
      }
      if (reply.delayMs) setTimeout(() => handle(reply, recorded, res), reply.delayMs);
      else handle(reply, recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return fake;
}

/** Splits text into a few pieces, so streaming really sends several deltas. */
export function pieces(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function sse(res: http.ServerResponse): (data: unknown, event?: string) => void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  return (data, event) => res.write(`${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}
