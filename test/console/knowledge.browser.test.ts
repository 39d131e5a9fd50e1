/**
 * An editor fills a bot's knowledge: drops a PDF and watches it go from uploading to ready without
 * reloading, adds a Markdown and a CSV file by keyboard alone (the second queued behind the first), adds a web page and crawls a (slow) site while
 * its pages are counted, asks the playground a question and reads the PDF's passage with the score
 * and citation the bot gets, re-ingests, deletes one, and sees why an .exe is refused. A viewer
 * reads the same sources with nothing to change them. At 1280 px and 375 px, with axe-core
 * finding no serious or critical violation. (The API's 403s for a viewer: test/knowledge/knowledge-roles.test.ts.)
 */
import assert from "node:assert/strict";
import type { Browser, Locator, Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { minimalPdf } from "../knowledge/document-fixtures.ts";
import { startSite, type Site } from "../knowledge/knowledge-test-kit.ts";
import { memberWithRole, tenantWithOwner } from "../people/people-kit.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, ensureConsoleBuilt, eventually, launchChromium, openPage } from "./console-kit.ts";

const SHOTS = "/tmp/shots-knowledge";
const EDITOR = { email: "editor@harbour.test", password: "an editor's long password" };
const VIEWER = { email: "viewer@harbour.test", password: "a viewer's long password" };

const flow = {
  start: "hello",
  nodes: [
    { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Hello!" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ],
};

const policyPdf = minimalPdf([
  "Welcome to Harbour Outfitters, makers of sailing jackets since 1987.",
  "Returns: you may return any unworn item within 45 days of delivery for a full refund.",
  "Repairs: we mend any jacket we made, for free, for as long as you own it.",
]);
const faqMarkdown = "# Sizing\n\nOur jackets run large: most sailors order one size below their usual size.\n\n# Gift cards\n\nGift cards never expire and can be used online or in the Brest shop.\n";
const pricesCsv = "jacket,price\nCoastal,189 EUR\nOffshore,349 EUR\n";
// A Windows program's first bytes: "MZ", then binary (NUL bytes no text document holds).
const program = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "latin1"), Buffer.alloc(256)]);

const html = (title: string, body: string, links: string[] = []) =>
  `<html><head><title>${title}</title></head><body><h1>${title}</h1><p>${body}</p>${links.map((l) => `<a href="${l}">${l}</a>`).join(" ")}</body></html>`;

/** A person signs in with their email and password, as on the sign-in page. */
async function signIn(page: Page, baseUrl: string, person: { email: string; password: string }, path = "/console/"): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  const form = page.getByRole("form", { name: "Sign in with email" });
  await form.getByLabel("Email").fill(person.email);
  await form.getByLabel("Password").fill(person.password);
  await form.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Drops one file on the target the way a browser does when a file is dragged from the desktop. */
async function dropFile(page: Page, target: Locator, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const dataTransfer = await page.evaluateHandle(({ name, mimeType, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: mimeType }));
    return transfer;
  }, { name: file.name, mimeType: file.mimeType, base64: file.buffer.toString("base64") });
  await target.dispatchEvent("dragenter", { dataTransfer });
  await target.dispatchEvent("dragover", { dataTransfer });
  await target.dispatchEvent("drop", { dataTransfer });
}

/**
 * Records every status each source row shows, as the page changes (a MutationObserver), so the
 * test can tell a row that moved through processing from one that appeared ready.
 */
async function watchStatuses(page: Page): Promise<() => Promise<Record<string, string[]>>> {
  await page.evaluate(() => {
    const log: Record<string, string[]> = {};
    const record = () => {
      for (const row of document.querySelectorAll(".source-row")) {
        const name = row.getAttribute("aria-label") ?? "";
        const status = row.querySelector("[data-status]")?.getAttribute("data-status") ?? "";
        const stage = row.querySelector(".source-stage span")?.textContent ?? "";
        const seen = (log[name] ??= []);
        const entry = stage ? `${status}: ${stage}` : status;
        if (seen.at(-1) !== entry) seen.push(entry);
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    (window as unknown as { statusLog: typeof log }).statusLog = log;
  });
  return () => page.evaluate(() => (window as unknown as { statusLog: Record<string, string[]> }).statusLog);
}

const statusOf = (row: Locator) => row.locator("[data-status]").getAttribute("data-status");

describe("console: a bot's knowledge", function () {
  this.timeout(300_000);
  let node: TestPlatform;
  let browser: Browser;
  let site: Site;
  let harbour: Awaited<ReturnType<typeof tenantWithOwner>>;
  let botId: string;

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    site = await startSite({
      "/robots.txt": { type: "text/plain", body: "" },
      "/shipping.html": { body: html("Shipping", "Orders leave our warehouse within two working days.") },
      // Each help page takes a moment, so the crawl's page count can be watched going up.
      "/help/1.html": { body: html("Care", "Rinse the jacket in fresh water after every sail.", ["/help/2.html"]), delayMs: 1200 },
      "/help/2.html": { body: html("Zips", "Wax the zips twice a season to keep salt out.", ["/help/3.html"]), delayMs: 1200 },
      "/help/3.html": { body: html("Storage", "Hang the jacket to dry before folding it away."), delayMs: 1200 },
    });
    // The site is on 127.0.0.1: the SSRF guard lets a test reach it.
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true" } });
    harbour = await tenantWithOwner(node, "Harbour Outfitters", "owner@harbour.test");
    await memberWithRole(node, harbour.owner, EDITOR.email, "editor", EDITOR.password);
    await memberWithRole(node, harbour.owner, VIEWER.email, "viewer", VIEWER.password);
    const bot = await node.request("POST", "/v1/admin/bots", { key: harbour.keys.admin, body: { name: "Harbour help", flow } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
    await site?.close();
  });

  const apiSources = async () => (await node.request("GET", `/v1/admin/bots/${botId}/knowledge`, { key: harbour.keys.admin })).body.sources as { id: string; name: string; status: string; chunks: number }[];

  it("lets an editor drop, add, crawl, search, re-ingest and delete, watching each source's progress", async () => {
    const { page, problems, close } = await openPage(browser);
    await signIn(page, node.url, EDITOR);
    await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();
    await page.getByRole("link", { name: "Harbour help" }).click();
    await page.getByRole("link", { name: "Knowledge", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Harbour help: knowledge" }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/console/bots/${botId}/knowledge`);
    await page.getByRole("heading", { name: "No knowledge yet" }).waitFor();
    await assertAccessible(page, "the empty knowledge page");
    await page.screenshot({ path: `${SHOTS}/empty-1280.png`, fullPage: true });

    // The page is never reloaded from here: a marker on the window would be gone.
    await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
    const statuses = await watchStatuses(page);
    const sources = page.getByRole("list", { name: "Sources" });

    // A PDF dropped from the desktop goes up, is processed and becomes ready, live.
    await dropFile(page, page.getByTestId("drop-zone"), { name: "returns-policy.pdf", mimeType: "application/pdf", buffer: policyPdf });
    const pdfRow = sources.getByRole("listitem", { name: "returns-policy.pdf" });
    await eventually(async () => assert.equal(await statusOf(pdfRow), "ready"), { timeoutMs: 20_000 });
    // Maybe queued for an instant; then sent and read, embedded in the background, ready.
    const pdfSeen = (await statuses())["returns-policy.pdf"]!;
    const pdfSteps = pdfSeen.map((s) => s.split(":")[0]).filter((s, i, all) => s !== all[i - 1] && s !== "queued");
    assert.deepEqual(pdfSteps, ["uploading", "processing", "ready"], `the row showed the PDF on its way (saw ${pdfSeen.join(" → ")})`);
    const pdfMeta = await pdfRow.locator(".source-meta").textContent() ?? "";
    assert.match(pdfMeta, /File, PDF/);
    assert.match(pdfMeta, /3 pages/);
    assert.match(pdfMeta, /\d+ passages?/);
    assert.match(pdfMeta, /\d+(\.\d)? (B|kB)/);
    assert.match(pdfMeta, /added just now/);
    await page.getByRole("status").filter({ hasText: "returns-policy.pdf is ready" }).waitFor();

    // By keyboard alone: Tab from the top of the page to "Choose files", Enter opens the picker.
    // Listening first: Playwright takes the picker over only once it is asked to, and the key is quick.
    const picker = page.waitForEvent("filechooser");
    await page.locator("#main").focus();
    const choose = page.getByRole("button", { name: "Choose files" });
    let tabs = 0;
    for (; tabs < 10 && !(await choose.evaluate((b) => b === document.activeElement)); tabs++) await page.keyboard.press("Tab");
    assert.equal(await choose.evaluate((b) => b === document.activeElement), true, `"Choose files" is reached with Tab (after ${tabs})`);
    await page.keyboard.press("Enter");
    // Two files chosen at once: the second waits its turn (queued) while the first goes up.
    await (await picker).setFiles([
      { name: "faq.md", mimeType: "text/markdown", buffer: Buffer.from(faqMarkdown) },
      { name: "prices.csv", mimeType: "text/csv", buffer: Buffer.from(pricesCsv) },
    ]);
    const faqRow = sources.getByRole("listitem", { name: "faq.md" });
    const pricesRow = sources.getByRole("listitem", { name: "prices.csv" });
    await eventually(async () => assert.deepEqual([await statusOf(faqRow), await statusOf(pricesRow)], ["ready", "ready"]), { timeoutMs: 20_000 });
    assert.match(await faqRow.locator(".source-meta").textContent() ?? "", /File, Markdown/);
    assert.match(await pricesRow.locator(".source-meta").textContent() ?? "", /File, CSV/);
    const pricesSeen = (await statuses())["prices.csv"]!;
    assert.deepEqual(pricesSeen.slice(0, 2), ["queued", "uploading"], `the second file was queued, then sent (saw ${pricesSeen.join(" → ")})`);

    // A web page by its address.
    const pageForm = page.getByRole("form", { name: "Add a web page" });
    await pageForm.getByLabel("Page address").fill(`${site.url}/shipping.html`);
    await pageForm.getByRole("button", { name: "Add page" }).click();
    const shippingRow = sources.getByRole("listitem", { name: "Shipping" });
    await eventually(async () => assert.equal(await statusOf(shippingRow), "ready"), { timeoutMs: 20_000 });
    assert.match(await shippingRow.locator(".source-meta").textContent() ?? "", /Web page/);
    assert.equal(await shippingRow.getByRole("link").textContent(), `${site.url}/shipping.html`);

    // A slow site crawled: the row counts its pages as they come, then is ready with all three.
    const crawlForm = page.getByRole("form", { name: "Crawl a site" });
    await crawlForm.getByLabel("Start page").fill(`${site.url}/help/1.html`);
    await crawlForm.getByLabel("At most this many pages").fill("3");
    await crawlForm.getByRole("button", { name: "Start crawl" }).click();
    const crawlRow = sources.getByRole("listitem", { name: `${site.url}/help/1.html` });
    await crawlRow.getByText(/Crawling: [12] of at most 3 pages/).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}/crawling-1280.png`, fullPage: true });
    assert.ok(Number(await crawlRow.getByRole("progressbar").getAttribute("value")) > 0, "the bar has moved");
    await assertAccessible(page, "the knowledge page with a crawl in progress");
    await eventually(async () => assert.equal(await statusOf(crawlRow), "ready"), { timeoutMs: 30_000 });
    assert.match(await crawlRow.locator(".source-meta").textContent() ?? "", /Site crawl, up to 3 pages.*3 pages/);
    const crawlSeen = (await statuses())[`${site.url}/help/1.html`]!;
    const counted = crawlSeen.filter((s) => /Crawling: \d of/.test(s)).map((s) => Number(/Crawling: (\d)/.exec(s)![1]));
    assert.ok(counted.length >= 2 && counted.every((n, i) => i === 0 || n > counted[i - 1]!), `the page count went up as the crawl went (saw ${crawlSeen.join(" → ")})`);

    // The playground: the PDF's passage comes first, with the citation and score the bot gets.
    const playground = page.getByRole("form", { name: "Search the knowledge" });
    const question = "How many days do I have to return an item?";
    await playground.getByLabel("Question").fill(question);
    await playground.getByRole("button", { name: "Search" }).click();
    const passages = page.getByRole("list", { name: "Passages found" }).getByRole("listitem");
    await passages.first().waitFor();
    const expected = (await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent(question)}&limit=5`, { key: harbour.keys.admin })).body.passages as { citation: string; score: number; text: string }[];
    assert.equal(await passages.count(), expected.length);
    const first = passages.first();
    assert.match(await first.locator(".passage-text").textContent() ?? "", /within 45 days of delivery/);
    assert.equal(await first.locator("cite").textContent(), "returns-policy.pdf, page 2");
    assert.equal(await first.locator(".passage-rank").textContent(), "[1]");
    assert.equal(await first.locator(".passage-score").textContent(), `score ${expected[0]!.score.toFixed(2)}`);
    assert.deepEqual(await passages.locator("cite").allTextContents(), expected.map((p) => p.citation), "every passage cited as the API cites it for the bot");
    await assertAccessible(page, "the playground's passages");
    await page.screenshot({ path: `${SHOTS}/search-1280.png`, fullPage: true });

    // Re-ingest: the PDF has not changed; the shipping page has, and is read again.
    await pdfRow.getByRole("button", { name: "Re-ingest returns-policy.pdf" }).click();
    await page.getByRole("status").filter({ hasText: "returns-policy.pdf has not changed" }).waitFor();
    site.pages.set("/shipping.html", { type: "text/html", body: html("Shipping", "Orders now leave our warehouse on the day you place them.") });
    await shippingRow.getByRole("button", { name: "Re-ingest Shipping" }).click();
    // Ready, processing (added), ready, then processing and ready again (re-ingested).
    await eventually(async () => {
      const seen = (await statuses()).Shipping!.map((s) => s.split(":")[0]);
      assert.deepEqual(seen.filter((s, i) => s !== seen[i - 1]), ["processing", "ready", "processing", "ready"]);
    }, { timeoutMs: 20_000 });
    await playground.getByLabel("Question").fill("When do orders leave the warehouse?");
    await playground.getByRole("button", { name: "Search" }).click();
    await eventually(async () => assert.match(await passages.first().locator(".passage-text").textContent() ?? "", /on the day you place them/));

    // Delete, after a confirmation.
    await faqRow.getByRole("button", { name: "Delete faq.md" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete faq.md?" });
    await dialog.waitFor();
    await assertAccessible(page, "the delete dialog");
    await page.screenshot({ path: `${SHOTS}/delete-dialog-1280.png` });
    await dialog.getByRole("button", { name: "Delete source" }).click();
    await page.getByRole("status").filter({ hasText: "Deleted faq.md." }).waitFor();
    await faqRow.waitFor({ state: "detached" });
    assert.deepEqual((await apiSources()).map((s) => s.name).sort(), [`${site.url}/help/1.html`, "Shipping", "prices.csv", "returns-policy.pdf"].sort());

    // A program is not a document: the page says why, and nothing is added.
    await dropFile(page, page.getByTestId("drop-zone"), { name: "setup.exe", mimeType: "application/x-msdownload", buffer: program });
    const exeRow = sources.getByRole("listitem", { name: "setup.exe" });
    await eventually(async () => assert.equal(await statusOf(exeRow), "failed"));
    assert.match(await exeRow.locator(".source-error").textContent() ?? "", /This kind of document is not supported: binary content\. Send PDF, DOCX, plain text, Markdown, CSV or HTML/);
    await page.getByRole("status").filter({ hasText: "setup.exe was not added" }).waitFor();
    assert.equal((await apiSources()).some((s) => s.name === "setup.exe"), false);
    await assertAccessible(page, "the page with a refused file");
    await page.screenshot({ path: `${SHOTS}/refused-1280.png`, fullPage: true });
    await exeRow.getByRole("button", { name: "Dismiss setup.exe" }).click();
    await exeRow.waitFor({ state: "detached" });

    assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, "all of it happened without a reload");
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px: the drop zone, the sources and the playground", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signIn(page, node.url, EDITOR, `/console/bots/${botId}/knowledge`);
    await page.getByRole("list", { name: "Sources" }).getByRole("listitem", { name: "returns-policy.pdf" }).waitFor();
    await assertNoSidewaysScroll(page, "the knowledge page");
    await assertAccessible(page, "the knowledge page at 375 px");
    await page.screenshot({ path: `${SHOTS}/sources-375.png`, fullPage: true });
    const playground = page.getByRole("form", { name: "Search the knowledge" });
    await playground.getByLabel("Question").fill("Can I return a jacket?");
    await playground.getByRole("button", { name: "Search" }).click();
    await page.getByRole("list", { name: "Passages found" }).waitFor();
    await assertNoSidewaysScroll(page, "the playground's passages");
    await page.getByRole("heading", { name: "Try a question" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/search-375.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("shows a viewer the sources with nothing to change them", async () => {
    const { page, problems, close } = await openPage(browser);
    await signIn(page, node.url, VIEWER, `/console/bots/${botId}/knowledge`);
    const sources = page.getByRole("list", { name: "Sources" });
    await sources.getByRole("listitem", { name: "returns-policy.pdf" }).waitFor();
    assert.equal(await sources.getByRole("listitem").count(), 4);
    assert.equal(await page.getByRole("button", { name: "Choose files" }).count(), 0, "no drop zone");
    assert.equal(await page.getByRole("form", { name: "Add a web page" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: /^(Re-ingest|Delete) / }).count(), 0, "no re-ingest or delete");
    assert.equal(await page.getByRole("heading", { name: "Try a question" }).count(), 0, "no playground");
    await page.getByText("needs the editor role").waitFor();
    await assertAccessible(page, "the knowledge page for a viewer");
    await page.screenshot({ path: `${SHOTS}/viewer-1280.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });
});
