/**
 * The plumbing shared by the fake HubSpot and Salesforce servers: a loopback HTTP server, a log of
 * the requests it got, and failures queued by a test ("the next POST to /contacts answers 503").
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type FakeRequest = { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; body: string; json: any };
export type FakeResponse = { status: number; body?: unknown; headers?: Record<string, string> };
export type QueuedFailure = { method: string; path: RegExp; status: number; headers?: Record<string, string>; body?: unknown };

export type FakeServer = {
  url: string;
  requests: FakeRequest[];
  failures: QueuedFailure[];
  count(method: string, path: RegExp): number;
  close(): Promise<void>;
};

export async function startFakeServer(handle: (request: FakeRequest) => FakeResponse): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const failures: QueuedFailure[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try { json = body ? JSON.parse(body) : undefined; } catch { json = undefined; }
      const request: FakeRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
      requests.push(request);
      const failure = failures.findIndex((f) => f.method === request.method && f.path.test(request.path));
      let answer: FakeResponse;
      if (failure >= 0) {
        const [f] = failures.splice(failure, 1);
        answer = { status: f!.status, headers: f!.headers, body: f!.body ?? { message: `injected ${f!.status}` } };
      } else {
        try { answer = handle(request); } catch (error) { answer = { status: 500, body: { message: String(error) } }; }
      }
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failures,
    count: (method, path) => requests.filter((r) => r.method === method && path.test(r.path)).length,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
