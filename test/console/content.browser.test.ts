/**
 * An editor keeps an offer in the content library with two variants, starts an experiment on it in
 * the bot that shows it, reads the results as users come through, and promotes the better variant;
 * at 1280 px and 375 px, with axe-core finding no serious or critical violation.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, createTenant, ensureConsoleBuilt, eventually, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

const offerFlow = (itemId: string) => ({
  start: "offer",
  nodes: [
    { id: "offer", type: "message", content: { contentId: itemId }, connections: { default: "ask" } },
    { id: "ask", type: "question", content: { question: "Interested?", input_type: "choice", variable: "session.answer", choices: [{ label: "Yes", value: "yes" }, { label: "No", value: "no" }] }, connections: { yes: "signup", no: "bye" } },
    { id: "signup", type: "message", content: { messages: [{ type: "text", text: "Great, let's sign you up." }] } },
    { id: "bye", type: "message", content: { messages: [{ type: "text", text: "Maybe next time." }] } },
  ],
});

describe("console: the content library and its A/B experiments", function () {
  this.timeout(300_000);
  let node: TestPlatform;
  let browser: Browser;
  let acme: Tenant;

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    node = await startTestPlatform({ pluginFolders: ["plugins"] });
    acme = await createTenant(node, "Acme");
  });
  before(async () => { browser = await launchChromium(); });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  it("creates an item with two variants, tests them in a bot, reads the results and promotes the winner", async () => {
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Content" }).click();
    await page.getByRole("heading", { level: 1, name: "Content" }).waitFor();
    await page.getByText("No content yet").waitFor();
    await assertAccessible(page, "the empty content library");

    await page.getByRole("button", { name: "New item" }).click();
    await page.getByRole("heading", { level: 1, name: "New content item" }).waitFor();
    const form = page.getByRole("form", { name: "Content item" });
    await form.getByLabel("Name", { exact: true }).fill("Plan offer");
    await form.getByLabel("Tags").fill("offer, pricing");
    await form.getByLabel("Locale").fill("en");
    const variantA = form.getByRole("group", { name: /^Variant A/ });
    await variantA.getByRole("combobox", { name: "Text", exact: true }).fill("Try the Standard plan, free for a month.");
    await form.getByRole("button", { name: "Add variant" }).click();
    const variantB = form.getByRole("group", { name: /^Variant B/ });
    await variantB.getByRole("combobox", { name: "Text", exact: true }).fill("Try the Pro plan: half price this week!");
    await eventually(async () => assert.match(await variantB.locator("legend").first().textContent() ?? "", /50% of users/));
    await assertAccessible(page, "the item form with two variants");
    await form.getByRole("button", { name: "Create item" }).click();
    await page.getByRole("heading", { level: 1, name: "Plan offer" }).waitFor();
    const itemId = new URL(page.url()).pathname.split("/").at(-1)!;
    const stored = await node.request("GET", `/v1/admin/content/${itemId}`, { key: acme.keys.admin });
    assert.deepEqual(stored.body.variants.map((v: { id: string; weight: number; messages: { text: string }[] }) => [v.id, v.weight, v.messages[0]!.text]),
      [["a", 1, "Try the Standard plan, free for a month."], ["b", 1, "Try the Pro plan: half price this week!"]]);
    assert.deepEqual(stored.body.tags, ["offer", "pricing"]);

    // The bot that shows the offer (made over the API: the flow editor has its own story).
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Offers", flow: offerFlow(itemId) } });
    assert.equal(bot.status, 201, bot.text);
    await page.reload();
    const start = page.getByRole("form", { name: "Start an experiment" });
    await start.getByLabel("Experiment name").fill("Offer wording");
    await start.getByLabel("Goal", { exact: true }).selectOption("node");
    await start.getByLabel("Goal node").selectOption("signup");
    await start.getByRole("button", { name: "Start experiment" }).click();
    await page.getByRole("heading", { level: 1, name: "Offer wording" }).waitFor();
    const experimentId = new URL(page.url()).pathname.split("/").at(-1)!;

    // Thirty users come through; every third says yes and reaches the goal node.
    for (let i = 0; i < 30; i++) {
      const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId: bot.body.id, userId: `visitor-${i}` } });
      await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: acme.keys.widget, body: { choice: i % 3 === 0 ? "yes" : "no" } });
    }
    let results: { variants: { variantId: string; impressions: number; conversions: number }[] } = { variants: [] };
    await eventually(async () => {
      results = (await node.request("GET", `/v1/admin/experiments/${experimentId}`, { key: acme.keys.admin })).body;
      assert.equal(results.variants.reduce((n, v) => n + v.conversions, 0), 10);
    }, { timeoutMs: 15_000 });

    await page.reload();
    const table = page.getByRole("table", { name: "Results per variant" });
    await table.waitFor();
    for (const [name, v] of [["Variant A", results.variants[0]!], ["Variant B", results.variants[1]!]] as const) {
      const row = table.getByRole("row", { name: new RegExp(`^${name}`) });
      const cells = await row.getByRole("cell").allTextContents();
      assert.equal(cells[1], String(v.impressions), `${name} impressions`);
      assert.equal(cells[2], String(v.conversions), `${name} conversions`);
    }
    assert.match(await page.locator(".test-note").textContent() ?? "", /two-proportion z-test.*two-sided/);
    await assertAccessible(page, "the experiment's results");
    await page.screenshot({ path: "/tmp/console-experiment-1280.png", fullPage: true });

    // By keyboard: the row's button, then Tab to the dialog's confirmation.
    await page.getByRole("button", { name: "Promote Variant B" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Promote Variant B?" });
    await dialog.waitFor();
    await assertAccessible(page, "the promote dialog");
    const confirm = dialog.getByRole("button", { name: "Promote Variant B" });
    for (let tabs = 0; tabs < 4 && !(await confirm.evaluate((b) => b === document.activeElement)); tabs++) await page.keyboard.press("Tab");
    assert.equal(await confirm.evaluate((b) => b === document.activeElement), true, "the confirmation is reached with Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "every user now sees it" }).waitFor();
    await page.getByText("promoted", { exact: true }).waitFor();
    assert.equal(await page.getByRole("button", { name: /^Promote/ }).count(), 0, "a closed experiment offers no promote");
    const after = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId: bot.body.id, userId: "visitor-0" } });
    assert.equal(after.body.messages[0].text, "Try the Pro plan: half price this week!", "every user now sees the winner");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Content", exact: true }).click();
    const row = page.getByRole("list", { name: "Content items" }).locator(".bot-row", { hasText: "Plan offer" });
    await row.waitFor();
    assert.match(await row.textContent() ?? "", /winner: Variant B/);
    assert.match(await page.getByRole("list", { name: "Experiments" }).locator(".bot-row", { hasText: "Offer wording" }).textContent() ?? "", /promoted/);
    await page.screenshot({ path: "/tmp/console-content-1280.png", fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px: the library, an item's form and the results table", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/content`);
    await page.getByRole("heading", { level: 1, name: "Content" }).waitFor();
    await page.getByRole("list", { name: "Content items" }).locator(".bot-row", { hasText: "Plan offer" }).waitFor();
    await assertNoSidewaysScroll(page, "the content library");
    await assertAccessible(page, "the content library at 375 px");
    await page.getByRole("link", { name: "Plan offer" }).click();
    await page.getByRole("form", { name: "Content item" }).waitFor();
    await assertNoSidewaysScroll(page, "an item's form");
    await page.screenshot({ path: "/tmp/console-content-item-375.png", fullPage: true });
    await page.getByRole("link", { name: "Offer wording" }).click();
    await page.getByRole("table", { name: "Results per variant" }).waitFor();
    await assertNoSidewaysScroll(page, "the results");
    await assertAccessible(page, "the results at 375 px");
    await page.screenshot({ path: "/tmp/console-experiment-375.png", fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });
});
