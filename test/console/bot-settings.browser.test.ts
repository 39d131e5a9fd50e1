/**
 * A bot's settings page, as an editor uses it: the AI model set and saved, then the human handoff
 * settings (the words that ask for a person, what the user is told, the timeout and what then) in
 * their own form drawn from the config's schema. Saving one section keeps the other (PATCH
 * replaces the whole config), a reload shows both, the API's validation problem shows on its field,
 * and the saved keywords do hand a conversation to people. At 1280 px and 375 px, by keyboard, with
 * axe-core.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, ensureConsoleBuilt, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

const SHOTS = "/tmp/shots-inbox2";
const loopFlow = {
  start: "ask",
  nodes: [
    { id: "ask", type: "question", content: { question: "How can we help?", input_type: "text", variable: "user.need" }, connections: { default: "noted" } },
    { id: "noted", type: "message", content: { messages: [{ type: "text", text: "Noted." }] }, connections: { default: "ask" } },
  ],
};

const handoffForm = (page: Page) => page.getByRole("form", { name: "Human handoff settings" });
const aiForm = (page: Page) => page.getByRole("form", { name: "AI settings" });

describe("console: a bot's settings, AI and human handoff, each saved without losing the other", function () {
  this.timeout(180_000);
  let node: TestPlatform;
  let browser: Browser;
  let acme: Tenant;
  let botId: string;

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    node = await startTestPlatform();
    const created = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", allowedDomains: ["127.0.0.1"] } });
    assert.equal(created.status, 201, created.text);
    acme = created.body;
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Support", flow: loopFlow, config: { greeting: "Hello there", branding: { title: "Acme help" } } } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  it("sets the AI model, then handoff keywords, message and timeout; a reload shows both; a bad keyword is refused on its field; the keyword hands over", async () => {
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${botId}/settings`);
    await page.getByRole("heading", { level: 1, name: "Support · Settings" }).waitFor();

    await aiForm(page).getByLabel("Provider").selectOption("openai");
    await aiForm(page).getByLabel("Model", { exact: true }).fill("gpt-4o-mini");
    await aiForm(page).getByRole("button", { name: "Save AI settings" }).click();
    await page.getByText("AI settings saved.").waitFor();

    // Handoff: two words of the shop's own, what the user reads, and the timeout rule.
    const form = handoffForm(page);
    await form.getByRole("heading", { level: 2, name: "Human handoff" }).waitFor();
    await form.getByRole("button", { name: "Add keyword" }).click();
    await form.getByRole("combobox", { name: "Keyword 1", exact: true }).fill("talk to someone");
    await form.getByRole("button", { name: "Add keyword" }).click();
    await form.getByRole("combobox", { name: "Keyword 2", exact: true }).fill("a".repeat(61));
    await form.getByLabel("Message", { exact: true }).fill("A colleague will be with you shortly.");
    await form.getByLabel("Timeout Minutes").fill("30");
    await form.getByLabel("On Timeout").selectOption("message");
    await form.getByLabel("Timeout Message").fill("Sorry, we are all busy. We will email you.");
    await form.getByRole("button", { name: "Save handoff settings" }).click();

    // The API refuses the 61-character keyword: the problem shows on the keywords, nothing is saved.
    await form.getByText("Not saved: fix the fields marked above.").waitFor();
    const problem = form.getByRole("group", { name: "Keywords" }).locator(".field-error");
    assert.match(await problem.textContent() ?? "", /^Item 2: .*60/);
    assert.equal((await node.request("GET", `/v1/admin/bots/${botId}`, { key: acme.keys.admin })).body.config.handoff, undefined);
    await assertAccessible(page, "the handoff form with a validation problem");
    await page.screenshot({ path: `${SHOTS}/bot-handoff-invalid-1280.png`, fullPage: true });

    await form.getByRole("combobox", { name: "Keyword 2", exact: true }).fill("need a human");
    await form.getByRole("button", { name: "Save handoff settings" }).click();
    await page.getByText("Handoff settings saved.").waitFor();
    const saved = (await node.request("GET", `/v1/admin/bots/${botId}`, { key: acme.keys.admin })).body.config;
    assert.deepEqual(saved.handoff, { keywords: ["talk to someone", "need a human"], message: "A colleague will be with you shortly.", timeoutMinutes: 30, onTimeout: "message", timeoutMessage: "Sorry, we are all busy. We will email you." });
    assert.deepEqual(saved.ai, { provider: "openai", model: "gpt-4o-mini" }, "saving the handoff section kept the AI section");
    assert.equal(saved.greeting, "Hello there", "and the rest of the config");
    assert.equal(saved.branding.title, "Acme help");

    // A reload: both sections as saved.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Support · Settings" }).waitFor();
    assert.equal(await aiForm(page).getByLabel("Model", { exact: true }).inputValue(), "gpt-4o-mini");
    assert.equal(await aiForm(page).getByLabel("Provider").inputValue(), "openai");
    assert.equal(await handoffForm(page).getByRole("combobox", { name: "Keyword 1", exact: true }).inputValue(), "talk to someone");
    assert.equal(await handoffForm(page).getByRole("combobox", { name: "Keyword 2", exact: true }).inputValue(), "need a human");
    assert.equal(await handoffForm(page).getByLabel("Timeout Minutes").inputValue(), "30");
    assert.equal(await handoffForm(page).getByLabel("On Timeout").inputValue(), "message");

    // Saving AI again keeps the handoff settings, too.
    await aiForm(page).getByLabel("Model", { exact: true }).fill("gpt-4o");
    await aiForm(page).getByRole("button", { name: "Save AI settings" }).click();
    await page.getByText("AI settings saved.").waitFor();
    const after = (await node.request("GET", `/v1/admin/bots/${botId}`, { key: acme.keys.admin })).body.config;
    assert.equal(after.ai.model, "gpt-4o");
    assert.deepEqual(after.handoff.keywords, ["talk to someone", "need a human"]);

    // The words now ask for a person: a user typing one is told the message and waits for people.
    const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId, userId: "visitor-1" } });
    assert.equal(started.status, 201, started.text);
    const asked = await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: acme.keys.widget, body: { text: "Need a human!" } });
    assert.equal(asked.status, 200, asked.text);
    assert.equal(asked.body.status, "waiting_human", asked.text);
    assert.match(JSON.stringify(asked.body.messages), /A colleague will be with you shortly\./);
    await assertAccessible(page, "a bot's settings");
    await page.screenshot({ path: `${SHOTS}/bot-settings-1280.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px and saves the handoff settings by keyboard", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${botId}/settings`);
    await page.getByRole("heading", { level: 1, name: "Support · Settings" }).waitFor();
    await assertNoSidewaysScroll(page, "a bot's settings");
    await assertAccessible(page, "a bot's settings at 375 px");
    const minutes = handoffForm(page).getByLabel("Timeout Minutes");
    await minutes.focus();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("45");
    await page.keyboard.press("Enter");
    await page.getByText("Handoff settings saved.").waitFor();
    const saved = (await node.request("GET", `/v1/admin/bots/${botId}`, { key: acme.keys.admin })).body.config;
    assert.equal(saved.handoff.timeoutMinutes, 45);
    assert.equal(saved.ai.model, "gpt-4o");
    await page.screenshot({ path: `${SHOTS}/bot-settings-375.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });
});
