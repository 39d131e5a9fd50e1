/**
 * The web widget showing a model's reply as it is written, in headless Chromium against a real
 * platform node and a fake OpenAI that the test paces: a draft bubble grows while the model writes,
 * shows what it wrote as text, and is replaced by the committed message.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServiceSchema } from "moleculer";
import { chromium, type Browser } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { sse, startFakeVendor, type FakeVendor } from "./fakes/fake-vendor.ts";

const CHROMIUM = "/usr/bin/chromium";
const HOSTILE = `<img src=x onerror="window.__pwned=1">`;

describe("web widget drafts of a streamed reply (headless Chromium)", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let browser: Browser;
  let openai: FakeVendor;
  let site: http.Server;
  let sitePort: number;
  let gate: { release: () => void; held: Promise<void> };

  before(async function () {
    if (!existsSync(CHROMIUM)) return this.skip();
    // Two chunks, then the rest only when the test has seen the draft.
    openai = await startFakeVendor((_reply, request, res) => void (async () => {
      const send = sse(res);
      const chunk = (delta: object, finish: string | null = null) => send({ id: "c", object: "chat.completion.chunk", created: 1, model: request.body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
      chunk({ content: "Drafting " });
      chunk({ content: HOSTILE });
      await gate.held;
      chunk({ content: " and done." });
      chunk({}, "stop");
      send("[DONE]");
      res.end();
    })());
    node = await startTestPlatform({
      pluginFolders: ["plugins", "channels"],
      env: { ALLOW_PRIVATE_NETWORKS: "true", OPENAI_API_KEY: "sk-openai-secret", OPENAI_BASE_URL: `${openai.url}/v1` },
    });
    const broker = node.platform.broker;
    const knowledge = broker.getLocalService("knowledge");
    if (knowledge) await broker.destroyService(knowledge);
    broker.createService({ name: "knowledge", actions: { search: () => [] } } satisfies ServiceSchema);
    await broker.waitForServices(["knowledge"]);
    const tenant = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid", allowedDomains: ["127.0.0.1"] } });
    assert.equal(tenant.status, 201, tenant.text);
    const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.body.keys.admin, body: { name: "Assistant", config: { ai: { greeting: "Ask me." }, messagesPerMinutePerUser: 100 } } });
    assert.equal(bot.status, 201, bot.text);
    const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
<script src="${node.url}/widget.js" data-key="${tenant.body.keys.widget}" data-bot="${bot.body.id}"></script></body></html>`;
    site = http.createServer((_request, response) => response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page));
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    sitePort = (site.address() as AddressInfo).port;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
    await node?.cleanup();
    await openai?.close();
  });

  it("grows a draft bubble as text while the model writes, then settles it into the final message", async () => {
    let release!: () => void;
    gate = { release: () => release(), held: new Promise<void>((resolve) => (release = resolve)) };
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.1:${sitePort}/`);
    await page.locator(".launcher").click();
    await page.locator(".log .msg.bot", { hasText: "Ask me." }).last().waitFor();
    await page.locator("#bp-input").fill("Tell me");
    await page.keyboard.press("Enter");

    const draft = page.locator(".log .msg.draft");
    await draft.filter({ hasText: "Drafting" }).waitFor();
    assert.equal(await draft.textContent(), `Drafting ${HOSTILE}`, "the draft shows what the model wrote, as text");
    assert.equal(await draft.getAttribute("aria-hidden"), "true");
    assert.ok(await page.locator(".typing").isHidden(), "the typing dots give way to the words");
    assert.equal(await page.locator(".log img").count(), 0, "no element was made from the model's text");
    gate.release();

    await page.locator(".log .msg.bot:not(.draft)", { hasText: "and done." }).waitFor();
    assert.equal(await page.locator(".log .msg.draft").count(), 0, "the draft is gone");
    const texts = await page.locator(".log .msg").allTextContents();
    assert.deepEqual(texts.slice(-2), ["Tell me", "Drafting  and done."], "the committed message (tags stripped by the format guard) replaced the draft");
    assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
  });
});
