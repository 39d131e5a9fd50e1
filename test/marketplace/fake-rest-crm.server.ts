/** A generic REST CRM on loopback, as @platform/rest-crm expects one: contacts under /api/people, a bearer token, its own field names. */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeRestCrm = {
  url: string;
  records: Record<string, unknown>[];
  requests: { method: string; path: string; authorization?: string; idempotencyKey?: string; body?: unknown }[];
  close(): Promise<void>;
};

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

export async function startFakeRestCrm(token: string): Promise<FakeRestCrm> {
  const fake: FakeRestCrm = { url: "", records: [], requests: [], close: async () => {} };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const body = await bodyOf(req);
    fake.requests.push({ method: req.method ?? "GET", path: url.pathname + url.search, authorization: req.headers.authorization, idempotencyKey: req.headers["idempotency-key"] as string | undefined, body });
    const send = (status: number, value?: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(value === undefined ? "" : JSON.stringify(value));
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: "bad token" });
    const id = /^\/api\/people\/([^/]+)$/.exec(url.pathname)?.[1];
    if (url.pathname === "/api/people" && req.method === "GET") {
      const email = url.searchParams.get("email_address");
      return send(200, { data: fake.records.filter((r) => r.email_address === email) });
    }
    if (url.pathname === "/api/people" && req.method === "POST") {
      const record = { person_id: `p${fake.records.length + 1}`, ...(body as object) };
      fake.records.push(record);
      return send(201, record);
    }
    const found = fake.records.find((r) => r.person_id === id);
    if (id && !found) return send(404, { message: "no such person" });
    if (found && req.method === "GET") return send(200, found);
    if (found && req.method === "PATCH") return send(200, Object.assign(found, body));
    return send(405, { message: "not here" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
