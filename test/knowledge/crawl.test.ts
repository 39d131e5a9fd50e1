import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { startSite, tenantWithBot, type Site, type Tenant } from "./knowledge-test-kit.ts";

const page = (title: string, text: string, links: string[] = []) =>
  `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p>${links.map((l) => `<a href="${l}">${l}</a>`).join(" ")}</body></html>`;

describe("knowledge site crawls", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;
  let site: Site;

  before(async () => {
    site = await startSite({
      "/robots.txt": { type: "text/plain", body: "User-agent: *\nDisallow: /private/\n\nUser-agent: OtherBot\nDisallow: /\n" },
      "/": { body: page("Home", "Welcome to the Acme help centre.", ["/shipping#top", "/returns", "/private/salaries", "https://elsewhere.example/offsite", "mailto:help@acme.test", "/manual.pdf"]) },
      "/shipping": { body: page("Shipping", "Parcels leave our warehouse every Tuesday and Friday.", ["/", "/shipping/express"]) },
      "/returns": { body: page("Returns", "Returned goods are inspected within two working days.", ["/returns/labels"]) },
      "/private/salaries": { body: page("Salaries", "Confidential salary bands.") },
      "/shipping/express": { body: page("Express", "Express parcels arrive the next morning.") },
      "/returns/labels": { body: page("Labels", "Return labels are printed at the counter.") },
    });
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true" } });
    ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
  });
  after(async () => {
    await node?.cleanup();
    await site?.close();
  });

  const crawl = (url: string, maxPages: number) => node.request("POST", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin, body: { crawl: { url, maxPages } } });
  /** Polls the source until the background crawl settles, as an admin UI would. */
  const settled = async (sourceId: string) => {
    for (let i = 0; i < 200; i++) {
      const answer = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/${sourceId}`, { key: acme.keys.admin });
      if (answer.body.status !== "processing") return answer.body;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("the crawl did not finish");
  };

  it("stays on the site, honours robots.txt and stops at the page limit", async () => {
    const answer = await crawl(`${site.url}/`, 3);
    assert.equal(answer.status, 202, answer.text);
    assert.deepEqual([answer.body.status, answer.body.source.kind, answer.body.sourceId], ["processing", "crawl", answer.body.source.id]);
    const done = await settled(answer.body.sourceId);
    assert.deepEqual([done.status, done.progress, done.pages], ["ready", 100, 3]);
    assert.ok(done.chunks >= 3);
    const fetched = site.requests.filter((p) => p !== "/robots.txt");
    assert.deepEqual(fetched, ["/", "/shipping", "/returns"], "breadth first, fragments dropped, three pages");
    assert.ok(!site.requests.some((p) => p.startsWith("/private")), "robots.txt keeps the crawler out of /private/");
    assert.ok(!site.requests.includes("/manual.pdf"));

    const search = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent("when do parcels leave the warehouse")}`, { key: acme.keys.admin });
    const [top] = search.body.passages;
    assert.match(top.text, /every Tuesday and Friday/);
    assert.equal(top.source.url, `${site.url}/shipping`, "a crawled passage names the page it came from");
  });

  it("re-crawls on request and picks up changed pages", async () => {
    const sources = (await node.request("GET", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin })).body.sources;
    site.pages.set("/returns", { type: "text/html", body: page("Returns", "Returned goods are now refunded on the same day.") });
    const again = await node.request("POST", `/v1/admin/bots/${botId}/knowledge/${sources[0].id}/reingest`, { key: acme.keys.admin });
    assert.equal(again.status, 202, again.text);
    assert.equal((await settled(sources[0].id)).status, "ready");
    const search = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent("returned goods")}`, { key: acme.keys.admin });
    assert.match(search.body.passages[0].text, /refunded on the same day/);
  });

  it("marks a crawl whose start page fails as failed, with the reason", async () => {
    site.pages.set("/broken", { type: "text/html", body: "oops", status: 500 });
    const answer = await crawl(`${site.url}/broken`, 2);
    assert.equal(answer.status, 202);
    const done = await settled(answer.body.sourceId);
    assert.deepEqual([done.status, done.error.code, done.progress], ["failed", "KNOWLEDGE_FETCH_FAILED", 0]);
  });

  it("refuses a start page that robots.txt disallows", async () => {
    const answer = await crawl(`${site.url}/private/salaries`, 5);
    assert.deepEqual([answer.status, answer.body.error.code], [422, "KNOWLEDGE_ROBOTS_DISALLOWED"]);
  });
});

describe("knowledge fetches without ALLOW_PRIVATE_NETWORKS", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;
  let site: Site;

  before(async () => {
    site = await startSite({ "/": { body: page("Intranet", "Internal only.") } });
    node = await startTestPlatform({ pluginFolders: ["plugins"] });
    ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
  });
  after(async () => {
    await node?.cleanup();
    await site?.close();
  });

  it("refuses private addresses for URLs and crawls with 403 SSRF_BLOCKED, fetching nothing", async () => {
    for (const body of [{ url: `${site.url}/` }, { crawl: { url: `${site.url}/`, maxPages: 2 } }, { url: "http://169.254.169.254/latest/meta-data/" }]) {
      const answer = await node.request("POST", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin, body });
      assert.deepEqual([answer.status, answer.body.error.code], [403, "SSRF_BLOCKED"], JSON.stringify(body));
    }
    assert.deepEqual(site.requests, []);
    const listed = await node.request("GET", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin });
    assert.deepEqual(listed.body.sources, [], "a refused source is not kept");
  });
});
