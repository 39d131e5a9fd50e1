/**
 * An editor opens a bot's Intents page from the flow editor, is told what is wrong with a bad
 * name, creates two intents (one by keyboard alone), fixes a phrase and deletes a third after
 * confirming. People then chat through the widget; the Analytics page counts their messages per
 * intent and shows the average sentiment by day and by node. A viewer reads the intents with no
 * button to change them, and the API refuses the viewer's POST with 403. At 1280 px and 375 px,
 * with axe-core finding no serious or critical violation.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { memberWithRole, tenantWithOwner, type Browser as Person } from "../people/people-kit.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, ensureConsoleBuilt, launchChromium, openPage } from "./console-kit.ts";

const SHOTS = "/tmp/shots-intents";
const EDITOR = { email: "editor@harbour.test", password: "an editor's long password" };
const VIEWER = { email: "viewer@harbour.test", password: "a viewer's long password" };

/** Asks what the user wants, again and again (every typed message is matched against the intents). */
const flow = {
  start: "ask",
  nodes: [
    { id: "ask", type: "question", content: { question: "How can I help?", input_type: "text", variable: "session.said" }, connections: { default: "thanks" } },
    { id: "thanks", type: "message", content: { messages: [{ type: "text", text: "Noted." }] }, connections: { default: "ask" } },
  ],
};

async function signIn(page: Page, baseUrl: string, person: { email: string; password: string }, path: string): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  const form = page.getByRole("form", { name: "Sign in with email" });
  await form.getByLabel("Email").fill(person.email);
  await form.getByLabel("Password").fill(person.password);
  await form.getByRole("button", { name: "Sign in", exact: true }).click();
}

describe("console: a bot's intents, and intents and sentiment in its analytics", function () {
  this.timeout(300_000);
  let node: TestPlatform;
  let browser: Browser;
  let harbour: { id: string; keys: { admin: string; widget: string } };
  let viewer: Person;
  let botId: string;

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { ANALYTICS_FLUSH_MS: "50" } });
    const tenant = await tenantWithOwner(node, "Harbour Outfitters", "owner@harbour.test");
    harbour = tenant;
    await node.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
    await memberWithRole(node, tenant.owner, EDITOR.email, "editor", EDITOR.password);
    viewer = await memberWithRole(node, tenant.owner, VIEWER.email, "viewer", VIEWER.password);
    const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Harbour help", flow } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  it("lets an editor create, change and delete intents, with the API's refusals on the fields", async () => {
    const { page, problems, close } = await openPage(browser);
    await signIn(page, node.url, EDITOR, `/console/bots/${botId}`);
    await page.getByRole("link", { name: "Intents", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Harbour help · Intents" }).waitFor();
    await page.getByText("This bot has no intents yet.").waitFor();

    // A name with capitals and spaces: the API's message shows under the Name field.
    const form = page.getByRole("form", { name: "New intent" });
    await form.getByLabel("Name").fill("Order Status");
    await form.getByLabel("Example phrases, one per line").fill("where is my order");
    await form.getByRole("button", { name: "Create intent" }).click();
    await form.locator(".field-error").filter({ hasText: "is not an intent name" }).waitFor();
    assert.equal(await form.getByLabel("Name").getAttribute("aria-invalid"), "true");
    await page.screenshot({ path: `${SHOTS}/1-name-refused.png`, fullPage: true });
    await form.getByLabel("Name").fill("order_status");
    await form.getByLabel("Example phrases, one per line").fill("where is my order\ntrack my parcel\nhas my package shipped yet\nwhen will my delivery arrive");
    await form.getByRole("button", { name: "Create intent" }).click();
    await page.getByRole("status").filter({ hasText: "Intent order_status created." }).waitFor();

    // The second by keyboard alone: Tab from the name to the phrases, Tab to the button, Enter.
    await form.getByLabel("Name").focus();
    await page.keyboard.type("refund");
    await page.keyboard.press("Tab");
    await page.keyboard.type("I want my money back\ncan I get a refund\nrefund my purchase\nreturn this item for a refundd");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Intent refund created." }).waitFor();

    // A typo in a phrase, fixed.
    const refund = page.getByRole("listitem", { name: "refund" });
    await refund.getByRole("button", { name: "Edit phrases of refund" }).click();
    const phrases = refund.getByLabel("Example phrases, one per line");
    await phrases.fill((await phrases.inputValue()).replace("refundd", "refund"));
    await refund.getByRole("button", { name: "Save phrases" }).click();
    await page.getByRole("status").filter({ hasText: "Phrases of refund saved." }).waitFor();
    assert.deepEqual(await refund.getByRole("list", { name: "Example phrases of refund" }).getByRole("listitem").allTextContents(),
      ["I want my money back", "can I get a refund", "refund my purchase", "return this item for a refund"]);
    // Clearing every phrase is refused on the field.
    await refund.getByRole("button", { name: "Edit phrases of refund" }).click();
    await refund.getByLabel("Example phrases, one per line").fill("   \n");
    await refund.getByRole("button", { name: "Save phrases" }).click();
    await refund.locator(".field-error").filter({ hasText: "at least one example phrase" }).waitFor();
    await refund.getByRole("button", { name: "Cancel" }).click();

    // A third, deleted after confirming.
    await form.getByLabel("Name").fill("greeting");
    await form.getByLabel("Example phrases, one per line").fill("hello\nhi there");
    await form.getByRole("button", { name: "Create intent" }).click();
    const greeting = page.getByRole("listitem", { name: "greeting" });
    await greeting.waitFor();
    await greeting.getByRole("button", { name: "Delete greeting" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete the intent greeting?" });
    await dialog.waitFor();
    await assertAccessible(page, "the delete confirmation");
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("status").filter({ hasText: "Intent greeting deleted." }).waitFor();
    await greeting.waitFor({ state: "detached" });
    assert.deepEqual(await page.getByRole("list", { name: "Intents" }).getByRole("heading", { level: 3 }).allTextContents(), ["order_status", "refund"]);
    const listed = await node.request("GET", `/v1/admin/bots/${botId}/intents`, { key: harbour.keys.admin });
    assert.deepEqual(listed.body.intents.map((i: { name: string }) => i.name), ["order_status", "refund"]);

    await assertAccessible(page, "the intents page");
    await page.screenshot({ path: `${SHOTS}/2-intents-1280.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("counts messages per intent and shows their sentiment on the Analytics page", async () => {
    const conversation = async (texts: string[]) => {
      const started = await node.request("POST", "/v1/chat/sessions", { key: harbour.keys.widget, body: { botId } });
      assert.equal(started.status, 201, started.text);
      for (const text of texts) {
        const reply = await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: harbour.keys.widget, body: { text } });
        assert.equal(reply.status, 200, reply.text);
      }
    };
    await conversation(["Where is my parcel? I love you guys!", "track my parcel please"]);
    await conversation(["Where is my order?", "I would like a refund, this is awful"]);
    await conversation(["What is the weather like on Mars?"]);
    await node.platform.broker.call("analytics.flush");

    const { page, problems, close } = await openPage(browser);
    await signIn(page, node.url, EDITOR, `/console/bots/${botId}/analytics`);
    await page.getByRole("heading", { level: 1, name: "Harbour help: analytics" }).waitFor();
    const intents = page.getByRole("region", { name: "Intents" });
    const row = (name: string) => intents.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });
    await row("order_status").waitFor();
    assert.equal(await row("order_status").locator("td").first().textContent(), "3");
    assert.equal(await row("refund").locator("td").first().textContent(), "1");
    assert.equal(await row("none").locator("td").first().textContent(), "1");
    const sentiment = page.getByRole("region", { name: "By day" });
    const today = new Date().toISOString().slice(0, 10);
    const todayCells = await sentiment.getByRole("row").filter({ has: page.getByRole("rowheader", { name: today }) }).locator("td").allTextContents();
    assert.equal(todayCells[0], "5");
    assert.match(todayCells[1]!, /^-?\d\.\d\d$/, "an average sentiment for today");
    await page.getByRole("region", { name: /^By node/ }).getByRole("rowheader", { name: "ask" }).waitFor();

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download intents by day (CSV)" }).click();
    const csv = await (await download).createReadStream();
    let text = "";
    for await (const chunk of csv) text += String(chunk);
    assert.match(text, /^day,intent,messages,averageSentiment\r\n/);
    assert.match(text, new RegExp(`${today},order_status,3,`));

    await page.locator("figure.chart canvas").nth(2).waitFor();
    await assertAccessible(page, "the analytics page with intents and sentiment");
    await page.getByRole("heading", { name: "Intents", level: 2 }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/3-analytics-1280.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("shows a viewer the intents with nothing to change them, and the API refuses the viewer", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signIn(page, node.url, VIEWER, `/console/bots/${botId}/intents`);
    const list = page.getByRole("list", { name: "Intents" });
    await list.getByRole("listitem", { name: "order_status" }).waitFor();
    assert.deepEqual(await list.getByRole("list", { name: "Example phrases of order_status" }).getByRole("listitem").allTextContents(),
      ["where is my order", "track my parcel", "has my package shipped yet", "when will my delivery arrive"]);
    assert.equal(await page.getByRole("form", { name: "New intent" }).count(), 0, "no create form");
    assert.equal(await page.getByRole("button", { name: /^(Edit phrases of|Delete) / }).count(), 0, "no edit or delete");
    await assertNoSidewaysScroll(page, "the intents page");
    await assertAccessible(page, "the intents page at 375 px");
    await page.screenshot({ path: `${SHOTS}/4-viewer-375.png`, fullPage: true });

    const refused = await viewer.request("POST", `/v1/admin/bots/${botId}/intents`, { body: { name: "billing", examples: ["my invoice"] } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal((await node.request("GET", `/v1/admin/bots/${botId}/intents`, { key: harbour.keys.admin })).body.intents.length, 2);

    await page.goto(`${node.url}/console/bots/${botId}/analytics`);
    await page.getByRole("region", { name: "Intents" }).getByRole("rowheader", { name: "order_status" }).waitFor();
    await assertNoSidewaysScroll(page, "the analytics page with intents and sentiment");
    await page.screenshot({ path: `${SHOTS}/5-analytics-375.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });
});
