/** A crawl's progress followed as Server-Sent Events instead of polling. */
import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { startSite, tenantWithBot, type Site, type Tenant } from "./knowledge-test-kit.ts";

describe("knowledge ingestion progress as a stream", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let site: Site;
  let acme: Tenant;
  let botId: string;

  before(async () => {
    const page = (n: number, next?: number) => ({ body: `<html><head><title>Page ${n}</title></head><body><h1>Page ${n}</h1><p>Fact number ${n} about our shop.</p>${next ? `<a href="/p${next}.html">next</a>` : ""}</body></html>` });
    site = await startSite({ "/robots.txt": { type: "text/plain", body: "" }, "/p1.html": page(1, 2), "/p2.html": page(2, 3), "/p3.html": page(3) });
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true" } });
    ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
  });
  after(async () => {
    await node?.cleanup();
    await site?.close();
  });

  it("sends progress events until the crawl is ready, then the source", async () => {
    const started = await node.request("POST", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin, body: { crawl: { url: `${site.url}/p1.html`, maxPages: 3 } } });
    assert.equal(started.status, 202, started.text);
    const response = await fetch(`${node.url}/v1/admin/bots/${botId}/knowledge/${started.body.sourceId}`, { headers: { authorization: `Bearer ${acme.keys.admin}`, accept: "text/event-stream" } });
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const events = [...(await response.text()).matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map(([, name, data]) => ({ name, data: JSON.parse(data!) }));
    const progress = events.filter((e) => e.name === "progress").map((e) => e.data as { status: string; progress: number });
    assert.ok(progress.length >= 1);
    assert.deepEqual(progress.at(-1), { status: "ready", progress: 100 });
    assert.ok(progress.every((p, i) => i === 0 || p.progress >= progress[i - 1]!.progress), "progress never goes back");
    assert.equal(events.at(-1)!.name, "done");
    assert.equal(events.at(-1)!.data.status, "ready");
  });

  it("answers another tenant's source with 404 before any stream opens", async () => {
    const { tenant: globex } = await tenantWithBot(node, "Globex");
    const started = await node.request("POST", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin, body: { crawl: { url: `${site.url}/p3.html`, maxPages: 1 } } });
    const response = await fetch(`${node.url}/v1/admin/bots/${botId}/knowledge/${started.body.sourceId}`, { headers: { authorization: `Bearer ${globex.keys.admin}`, accept: "text/event-stream" } });
    assert.equal(response.status, 404);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  });
});
