import http from "node:http";
import type { AddressInfo } from "node:net";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import type { TestPlatform } from "../kit/test-platform.ts";

export type Tenant = { id: string; keys: { admin: string; widget: string } };

/** A tenant with one bot, through the admin API. */
export async function tenantWithBot(node: TestPlatform, name: string): Promise<{ tenant: Tenant; botId: string }> {
  const tenant: Tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name } })).body;
  const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: `${name} bot`, flow: exampleFlow } });
  if (bot.status !== 201) throw new Error(`bot not created: ${bot.text}`);
  return { tenant, botId: bot.body.id };
}

/** A page of the site; `delayMs` holds its answer back (a slow site, so a crawl's progress can be watched). */
export type SitePage = { type: string; body: string; status?: number; delayMs?: number };
export type Site = { url: string; requests: string[]; pages: Map<string, SitePage>; close(): Promise<void> };

/** A tiny web site on 127.0.0.1 whose pages the test can change, recording every path asked for. */
export async function startSite(pages: Record<string, Omit<SitePage, "type"> & { type?: string }>): Promise<Site> {
  const table = new Map(Object.entries(pages).map(([path, p]): [string, SitePage] => [path, { ...p, type: p.type ?? "text/html; charset=utf-8" }]));
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const page = table.get(req.url ?? "");
    if (!page) return res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    const answer = () => res.writeHead(page.status ?? 200, { "content-type": page.type }).end(page.body);
    if (page.delayMs) setTimeout(answer, page.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    pages: table,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const b64 = (content: string | Buffer) => Buffer.from(content).toString("base64");
