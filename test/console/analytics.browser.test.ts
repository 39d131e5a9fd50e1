/**
 * A tenant admin opens a bot's analytics after a few conversations: sees how many started,
 * completed and were abandoned, the channel, and the question where people dropped off, as a
 * table and as a badge on that node in the flow editor; at 1280 px and 375 px, with axe-core
 * finding no serious or critical violation.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, createTenant, ensureConsoleBuilt, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

const flow = {
  start: "hello",
  nodes: [
    { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Welcome!" }] }, connections: { default: "ask_name" } },
    { id: "ask_name", type: "question", content: { question: "Your name?", input_type: "text", variable: "user.name" }, connections: { default: "ask_email" } },
    { id: "ask_email", type: "question", content: { question: "Your email?", input_type: "email", variable: "user.email" }, connections: { default: "bye" } },
    { id: "bye", type: "end", content: { message: "Thanks {{user.name}}" } },
  ],
};

describe("console: a bot's analytics", function () {
  this.timeout(240_000);
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
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { ANALYTICS_FLUSH_MS: "50" } });
    acme = await createTenant(node, "Acme");
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Signup", flow } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    // Two people finish; a third gives a name and leaves at the email question.
    const chat = async (answers: string[], leave: boolean) => {
      const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId } });
      assert.equal(started.status, 201, started.text);
      for (const text of answers) assert.equal((await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: acme.keys.widget, body: { text } })).status, 200);
      if (leave) assert.equal((await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/end`, { key: acme.keys.widget })).status, 200);
    };
    await chat(["Ada", "ada@example.com"], false);
    await chat(["Bo", "bo@example.com"], false);
    await chat(["Cy"], true);
    await node.platform.broker.call("analytics.flush");
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  it("shows sessions, completion, the channel and where people dropped off", async () => {
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.getByRole("link", { name: "Signup", exact: true }).click();
    await page.getByRole("link", { name: "Analytics" }).click();
    await page.getByRole("heading", { level: 1, name: "Signup: analytics" }).waitFor();
    const stat = (name: string) => page.locator(".stats > div").filter({ has: page.getByText(name, { exact: true }) }).locator("dd");
    await stat("Started").filter({ hasText: "3" }).waitFor();
    assert.equal(await stat("Completed").textContent(), "2");
    assert.equal(await stat("Completion rate").textContent(), "66.7%");
    assert.equal(await stat("Abandoned").textContent(), "1");
    assert.equal(await stat("Messages in / out").textContent(), "5 / 11");
    const channels = page.getByRole("table").first();
    assert.deepEqual(await channels.getByRole("row").nth(1).locator("th, td").allTextContents(), ["web", "3", "2", "1", "0"]);
    const dropRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^ask_email/ }) });
    assert.deepEqual((await dropRow.locator("td").allTextContents()).slice(0, 4), ["3", "2", "1", "33.3%"]);
    await page.locator("figure.chart canvas").first().waitFor();
    await assertAccessible(page, "the analytics page");
    await page.screenshot({ path: "/tmp/console-analytics-1280.png", fullPage: true });

    // The last 7 days and the web channel only: the same sessions (they all started today on the web).
    await page.getByLabel("Period").selectOption("7");
    await page.getByLabel("Channel").selectOption("web");
    await stat("Started").filter({ hasText: "3" }).waitFor();
    assert.deepEqual(problems, []);
    await close();
  });

  it("draws each node's drop-off on the flow canvas", async () => {
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${botId}`);
    const emailNode = page.locator('.flow-node[data-node-id="ask_email"]');
    await emailNode.locator(".drop-tag").filter({ hasText: "33% drop-off" }).waitFor();
    assert.equal(await page.locator('.flow-node[data-node-id="ask_name"] .drop-tag').textContent(), "0% drop-off");
    await assertAccessible(page, "the flow editor with drop-off badges");
    await page.screenshot({ path: "/tmp/console-analytics-canvas-1280.png" });
    await page.getByRole("link", { name: "Analytics" }).click();
    await page.getByRole("heading", { level: 1, name: "Signup: analytics" }).waitFor();
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits a phone's width", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${botId}/analytics`);
    await page.getByRole("heading", { level: 1, name: "Signup: analytics" }).waitFor();
    await page.locator(".stats dd").first().waitFor();
    await page.locator("figure.chart canvas").first().waitFor();
    await assertNoSidewaysScroll(page, "the analytics page");
    await assertAccessible(page, "the analytics page at 375 px");
    await page.screenshot({ path: "/tmp/console-analytics-375.png", fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });
});
