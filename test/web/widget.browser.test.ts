/**
 * The web widget in a real browser (Debian's Chromium driven by playwright-core) against a real
 * platform node. The page is served from another port than the API, so every widget call is a
 * cross-origin call that the tenant's allowed domains really decide.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

const CHROMIUM = "/usr/bin/chromium";
const HOSTILE_NAME = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>`;

const flow = {
  start: "welcome",
  nodes: [
    { id: "welcome", type: "message", content: { messages: [{ type: "text", text: "Welcome to Acme." }] }, connections: { default: "ask_name" } },
    { id: "ask_name", type: "question", content: { question: "What's your name?", input_type: "text", variable: "user.name" }, connections: { default: "ask_plan" } },
    {
      id: "ask_plan", type: "question",
      content: { question: "Which plan suits you, {{user.name}}?", input_type: "choice", variable: "user.plan", choices: [{ label: "Basic", value: "basic" }, { label: "Pro", value: "pro" }, { label: "Team", value: "team" }] },
      connections: { default: "summary" },
    },
    { id: "summary", type: "message", content: { messages: [{ type: "text", text: "Thanks {{user.name}}, you picked {{user.plan}}." }] }, connections: { default: "ask_more" } },
    { id: "ask_more", type: "question", content: { question: "Anything else?", input_type: "text", variable: "user.more" }, connections: { default: "bye" } },
    { id: "bye", type: "message", content: { messages: [{ type: "text", text: "Goodbye, {{user.name}}." }] }, connections: { default: "done" } },
    { id: "done", type: "end", content: {} },
  ],
};

/** A tiny site on its own port: the widget's calls to the platform are cross-origin from here. */
async function startSite(platformUrl: string, key: string, botId: string): Promise<{ port: number; close(): Promise<void> }> {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><a href="#top">Skip to top</a><h1>Acme shop</h1>
<script src="${platformUrl}/widget.js" data-key="${key}" data-bot="${botId}"></script></body></html>`;
  const server = http.createServer((_request, response) => response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Text of every bubble in the widget's log, in order. */
const bubbles = (page: Page) => page.locator(".log .msg").allTextContents();

/** What has focus inside the widget's shadow root, described as "tag.class#id". */
const focused = (page: Page) => page.evaluate(() => {
  const inner = document.querySelector(".bp-chat-widget")?.shadowRoot?.activeElement;
  return inner ? `${inner.tagName.toLowerCase()}.${inner.className}#${inner.id}` : `outside:${document.activeElement?.tagName}`;
});

describe("web widget in headless Chromium", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let browser: Browser;
  let site: { port: number; close(): Promise<void> };
  let key: string;
  let botId: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`    skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);
      this.skip();
    }
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { MESSAGE_MAX_CHARS: "200" } });
    const tenant = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", allowedDomains: ["127.0.0.1"] } });
    assert.equal(tenant.status, 201, tenant.text);
    key = tenant.body.keys.widget;
    const bot = await node.request("POST", "/v1/admin/bots", {
      key: tenant.body.keys.admin,
      body: { name: "Shop bot", flow, config: { branding: { title: "Acme help", primaryColor: "#0b7a4b", textColor: "#ffffff" }, greeting: "Hi! Ask us anything.", messagesPerMinutePerUser: 100 } },
    });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    site = await startSite(node.url, key, botId);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await node?.cleanup();
  });

  it("holds a whole conversation: keyboard, hostile text shown as text, choices, reload, end", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const turns: Record<string, string>[] = [];
    page.on("request", (request) => { if (request.url().endsWith("/messages")) turns.push(request.headers()); });

    await page.goto(`http://127.0.0.1:${site.port}/`);
    const launcher = page.locator(".launcher");
    await assert.doesNotReject(launcher.and(page.locator("[aria-label='Open chat with Acme help']")).waitFor(), "the branding arrived");
    assert.equal(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(11, 122, 75)", "the primary colour is applied");
    const leaked = await page.evaluate(() => {
      const frame = document.body.appendChild(document.createElement("iframe"));
      // Frames show up as indexes (window[0]): the probe itself, not a leak.
      const names = Object.getOwnPropertyNames(window).filter((name) => !(name in frame.contentWindow!) && !/^\d+$/.test(name));
      frame.remove();
      return names;
    });
    assert.deepEqual(leaked, ["BotPlatformWidget"], "one global handle and nothing else");

    // Keyboard only: Tab to the launcher, Enter opens the dialog and focus lands in the text field.
    for (let i = 0; i < 5 && !(await focused(page)).startsWith("button.launcher"); i++) await page.keyboard.press("Tab");
    assert.match(await focused(page), /^button\.launcher/);
    await page.keyboard.press("Enter");
    const dialog = page.locator("[role=dialog]");
    await dialog.waitFor({ state: "visible" });
    assert.equal(await dialog.getAttribute("aria-label"), "Acme help");
    assert.equal(await launcher.getAttribute("aria-expanded"), "true");
    assert.equal(await page.locator(".log").getAttribute("role"), "log");
    assert.equal(await page.locator(".log").getAttribute("aria-live"), "polite");
    assert.equal(await page.locator("label[for=bp-input]").textContent(), "Your message");
    assert.equal(await page.locator(".header img").count(), 1);
    await page.locator(".log .msg", { hasText: "What's your name?" }).waitFor();
    assert.equal(await focused(page), "input.#bp-input");
    assert.deepEqual(await bubbles(page), ["Hi! Ask us anything.", "Welcome to Acme.", "What's your name?"]);

    await page.keyboard.type(HOSTILE_NAME);
    await page.keyboard.press("Enter");
    await page.locator(".log .msg.bot", { hasText: "Which plan suits you" }).waitFor();
    assert.equal(await page.locator(".log .msg.user").first().textContent(), HOSTILE_NAME, "the answer is shown as the literal text typed");
    assert.equal(await page.locator(".log .msg.bot").last().locator("div").first().textContent(), `Which plan suits you, ${HOSTILE_NAME}?`);
    assert.equal(await page.locator(".log img, .log script").count(), 0, "no element was made from the text");
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
    assert.match(turns[0].accept, /text\/event-stream/, "the turn is read as a stream");
    assert.ok(turns[0]["x-csrf-token"], "state-changing calls carry the session's CSRF token");

    const choices = page.locator(".log .choices button");
    assert.deepEqual(await choices.allTextContents(), ["Basic", "Pro", "Team"]);
    await page.locator(".log .choices button", { hasText: "Pro" }).click();
    await page.locator(".log .msg", { hasText: "Anything else?" }).waitFor();
    assert.deepEqual((await bubbles(page)).slice(-3), ["Pro", `Thanks ${HOSTILE_NAME}, you picked pro.`, "Anything else?"]);
    assert.equal(await choices.first().isDisabled(), true, "an answered question's buttons no longer answer");
    assert.equal(await focused(page), "input.#bp-input", "focus comes back to the text field after a button");
    await page.screenshot({ path: "/tmp/widget-conversation.png" });

    // A reload keeps the conversation: the panel is open again, drawn from the history, and goes on.
    const before = await bubbles(page);
    const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("bpw:") && k !== "bpw:visitor").map((k) => localStorage.getItem(k)));
    await page.reload();
    await page.locator(".log .msg", { hasText: "Anything else?" }).waitFor();
    assert.deepEqual(await bubbles(page), before);
    assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
    assert.equal(JSON.parse(stored[0]!).sessionId, await page.evaluate((k) => JSON.parse(localStorage.getItem(k)!).sessionId, `bpw:${node.url}:${botId}`));

    // A refused message shows the server's reason in the error line, and the text is kept to fix.
    await page.locator("#bp-input").fill("x".repeat(201));
    await page.keyboard.press("Enter");
    await page.locator(".error", { hasText: "at most 200 characters" }).waitFor();
    assert.equal(await page.locator(".error").getAttribute("aria-live"), "polite");
    assert.equal(await page.locator("#bp-input").inputValue(), "x".repeat(201));

    await page.locator("#bp-input").fill("No, thanks");
    await page.keyboard.press("Enter");
    await page.locator(".log .note", { hasText: "This conversation has ended." }).waitFor();
    assert.equal(await page.locator(".error").textContent(), "");
    assert.deepEqual((await bubbles(page)).slice(-2), ["No, thanks", `Goodbye, ${HOSTILE_NAME}.`]);
    assert.equal(await page.locator("#bp-input").isDisabled(), true);
    assert.equal(await focused(page), "button.chip restart#", "focus goes to what can be done next");

    // Escape closes the dialog and hands focus back to the launcher.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await launcher.getAttribute("aria-expanded"), "false");
    assert.match(await focused(page), /^button\.launcher/);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it("gives a site outside the tenant's allowed domains an error instead of a session", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sessionCalls: number[] = [];
    page.on("response", (response) => { if (response.url().endsWith("/v1/chat/sessions")) sessionCalls.push(response.status()); });
    await page.goto(`http://localhost:${site.port}/`);
    await page.locator(".launcher").click();
    // The refusal is readable cross-origin, so the visitor learns why rather than a vague failure.
    await page.locator(".error", { hasText: "not among the tenant's allowed domains" }).waitFor();
    assert.equal(await page.locator(".log .msg").count(), 0);
    assert.deepEqual(sessionCalls, [], "no session is even asked for without the bot's config");
    assert.equal(await page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith("bpw:") && k !== "bpw:visitor" && JSON.parse(localStorage.getItem(k)!).sessionId)), false);
    await context.close();
  });

  it("runs on the platform's own demo page under its content security policy", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => { if (/Content Security Policy/i.test(message.text())) violations.push(message.text()); });
    await page.goto(`${node.url}/demo?key=${key}&bot=${botId}`);
    await page.locator(".launcher[aria-label='Open chat with Acme help']").click();
    await page.locator(".log .msg", { hasText: "What's your name?" }).waitFor();
    assert.equal(await page.locator(".launcher").evaluate((el) => getComputedStyle(el).position), "fixed", "the widget's styles apply");
    assert.deepEqual(violations, []);
    await context.close();
  });
});
