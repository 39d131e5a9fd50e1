/**
 * The inbox's filters and paging, as an agent uses them on a busy tenant: conversations on two
 * bots and two channels, some from last week. She lists them all a page at a time, narrows to one
 * bot and one channel, reloads (the filters stay, they live in the address), picks a date range,
 * searches a user, and sees the live feed add only what matches. At 1280 px and 375 px, by
 * keyboard, with axe-core.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, ensureConsoleBuilt, eventually, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

const SHOTS = "/tmp/shots-inbox2";
/** A greeting and a question that loops: each conversation stays open with the bot. */
const loopFlow = {
  start: "ask",
  nodes: [
    { id: "ask", type: "question", content: { question: "How can we help?", input_type: "text", variable: "user.need" }, connections: { default: "noted" } },
    { id: "noted", type: "message", content: { messages: [{ type: "text", text: "Noted." }] }, connections: { default: "ask" } },
  ],
};
const SUPPORT_WEB = 26;
const SALES_WEB = 3;
const SALES_WHATSAPP = 3;
const OLD = 4;

const list = (page: Page) => page.getByRole("list", { name: "Conversations" });
const rows = (page: Page) => list(page).getByRole("listitem");
const filters = (page: Page) => page.getByRole("group", { name: "Filters" });
/** A calendar day `days` from today, as the date inputs take it (the browser and this process share a time zone). */
function day(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

describe("console: the inbox's filters (bot, channel, status, dates, words) in the address, and paging", function () {
  this.timeout(300_000);
  let node: TestPlatform;
  let browser: Browser;
  let acme: Tenant;
  let support: string;
  let sales: string;
  const total = SUPPORT_WEB + SALES_WEB + SALES_WHATSAPP;

  async function chat(botId: string, userId: string): Promise<string> {
    const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId, userId } });
    assert.equal(started.status, 201, started.text);
    return started.body.sessionId;
  }

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    node = await startTestPlatform();
    const created = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid", allowedDomains: ["127.0.0.1"] } });
    assert.equal(created.status, 201, created.text);
    acme = created.body;
    for (const [name, set] of [["Support", (id: string) => { support = id; }], ["Sales", (id: string) => { sales = id; }]] as const) {
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name, flow: loopFlow } });
      assert.equal(bot.status, 201, bot.text);
      set(bot.body.id);
    }
    // Conversations through the public chat API (the web channel)…
    const supportIds: string[] = [];
    for (let i = 1; i <= SUPPORT_WEB; i++) supportIds.push(await chat(support, `support-visitor-${i}`));
    const salesIds: string[] = [];
    for (let i = 1; i <= SALES_WEB + SALES_WHATSAPP; i++) salesIds.push(await chat(sales, `sales-lead-${i}`));
    // …then seeded where the chat API cannot go: three of Sales' on WhatsApp, four of Support's from ten days ago.
    const sql = node.platform.context.db.orm.em.fork().getConnection();
    await sql.execute(`update conversation_session set channel = 'whatsapp' where id in (${salesIds.slice(SALES_WEB).map(() => "?").join(", ")})`, salesIds.slice(SALES_WEB));
    await sql.execute(`update conversation_session set created_at = now() - interval '10 days', updated_at = now() - interval '10 days' where id in (${supportIds.slice(0, OLD).map(() => "?").join(", ")})`, supportIds.slice(0, OLD));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  it("pages through every conversation, narrows to a bot and a channel, keeps the filters on reload, then by dates and words; live changes respect them", async () => {
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Inbox/ }).click();
    await page.getByRole("status").filter({ hasText: /^Live$/ }).waitFor();
    await page.getByText("Nobody is waiting for a person.").waitFor();

    // Every conversation: a first page, then "Load more" until the end.
    await page.getByRole("radio", { name: "All" }).check();
    await eventually(async () => assert.equal(await rows(page).count(), 25, "a page of 25"));
    assert.match(page.url(), /\/console\/inbox\?view=all$/);
    await assertAccessible(page, "the inbox with every conversation");
    await page.getByRole("button", { name: "Load more" }).click();
    await eventually(async () => assert.equal(await rows(page).count(), total));
    await page.getByText(`That is all of them (${total}).`).waitFor();
    assert.equal(await page.getByRole("button", { name: "Load more" }).count(), 0);
    const users = await list(page).locator(".inbox-row-user").allTextContents();
    assert.equal(new Set(users).size, total, "no conversation twice across pages");
    assert.ok(users.includes("support-visitor-1") && users.includes("sales-lead-6"), "the oldest and the newest are both listed");
    assert.equal(users.at(-1)?.startsWith("support-visitor-"), true, "the ten-day-old ones come last");

    // One bot, then one channel: the list and the address follow.
    await filters(page).getByLabel("Bot").selectOption({ label: "Sales" });
    await eventually(async () => assert.equal(await rows(page).count(), SALES_WEB + SALES_WHATSAPP));
    await filters(page).getByLabel("Channel").selectOption("whatsapp");
    await eventually(async () => assert.equal(await rows(page).count(), SALES_WHATSAPP));
    assert.match(page.url(), new RegExp(`\\?view=all&bot=${sales}&channel=whatsapp$`));
    for (const text of await rows(page).allTextContents()) assert.match(text, /whatsapp.*Sales/s);
    await page.screenshot({ path: `${SHOTS}/inbox-filtered-1280.png` });

    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Inbox" }).waitFor();
    await eventually(async () => assert.equal(await rows(page).count(), SALES_WHATSAPP, "the filters outlive a reload"));
    assert.equal(await filters(page).getByLabel("Bot").inputValue(), sales);
    assert.equal(await filters(page).getByLabel("Channel").inputValue(), "whatsapp");
    assert.equal(await page.getByRole("radio", { name: "All" }).isChecked(), true);

    // Opening a conversation and coming back keeps them too.
    await rows(page).first().getByRole("link").click();
    await page.getByRole("heading", { level: 2, name: /sales-lead-/ }).waitFor();
    assert.match(page.url(), /\/inbox\/[0-9a-f-]{36}\?view=all&bot=.*&channel=whatsapp$/);
    assert.equal(await rows(page).count(), SALES_WHATSAPP);

    // Live: a new conversation on Support is not this list's; one on Sales over WhatsApp would be, on the web it is not.
    await page.getByRole("button", { name: "Clear 2 filters" }).click();
    await filters(page).getByLabel("Bot").selectOption({ label: "Sales" });
    await eventually(async () => assert.equal(await rows(page).count(), SALES_WEB + SALES_WHATSAPP));
    await chat(support, "support-visitor-live");
    await chat(sales, "sales-lead-live");
    await list(page).getByRole("link", { name: /sales-lead-live/ }).waitFor({ timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(await list(page).getByRole("link", { name: /support-visitor-live/ }).count(), 0, "another bot's conversation is not inserted");
    assert.equal(await rows(page).count(), SALES_WEB + SALES_WHATSAPP + 1);

    // Dates: those active ten days ago and started by a week ago are the four old ones.
    await page.getByRole("button", { name: "Clear the filter" }).click();
    await filters(page).getByLabel("Active from").fill(day(-11));
    await filters(page).getByLabel("Started by").fill(day(-7));
    await eventually(async () => assert.equal(await rows(page).count(), OLD));
    for (const user of await list(page).locator(".inbox-row-user").allTextContents()) assert.match(user, /^support-visitor-[1-4]$/);
    assert.match(page.url(), new RegExp(`from=${day(-11)}&to=${day(-7)}`));
    // From yesterday on: everything but the old ones (two pages), and no more.
    await filters(page).getByLabel("Started by").fill("");
    await filters(page).getByLabel("Active from").fill(day(-1));
    await eventually(async () => assert.equal(await rows(page).count(), 25));
    await page.getByRole("button", { name: "Load more" }).click();
    await eventually(async () => assert.equal(await rows(page).count(), total + 2 - OLD));

    // Words: a user's id; then a filter that matches nothing says so.
    await page.getByRole("button", { name: "Clear the filter" }).click();
    await filters(page).getByLabel("Search").fill("sales-lead-2");
    await eventually(async () => assert.deepEqual(await list(page).locator(".inbox-row-user").allTextContents(), ["sales-lead-2"]));
    await filters(page).getByLabel("Status").selectOption({ label: "Ended" });
    await page.getByText("No conversations match these filters.").waitFor();
    assert.match(page.url(), /status=ended&q=sales-lead-2$/);
    await assertAccessible(page, "the inbox with filters that match nothing");
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px and works by keyboard: filters reached with Tab, Load more with Enter", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/inbox?view=all&bot=${support}`);
    await eventually(async () => assert.equal(await rows(page).count(), 25));
    assert.equal(await filters(page).getByLabel("Bot").inputValue(), support, "a link with filters opens them");
    await assertNoSidewaysScroll(page, "the filtered inbox");
    await assertAccessible(page, "the filtered inbox at 375 px");
    await page.screenshot({ path: `${SHOTS}/inbox-filters-375.png`, fullPage: true });

    // By keyboard: from the search field, Tab through the filters to the channel, pick one with the arrows.
    await filters(page).getByLabel("Search").focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await filters(page).getByLabel("Channel").evaluate((el) => el === document.activeElement), true, "Tab goes search → bot → channel");
    await page.keyboard.press("Tab");
    assert.equal(await filters(page).getByLabel("Active from").evaluate((el) => el === document.activeElement), true, "→ the dates");
    // A date field's day, month and year are stops of their own: Tab on through them to the status.
    const status = filters(page).getByLabel("Status");
    for (let tabs = 0; tabs < 8 && !(await status.evaluate((el) => el === document.activeElement)); tabs++) await page.keyboard.press("Tab");
    assert.equal(await status.evaluate((el) => el === document.activeElement), true, "→ the dates → status");
    const more = page.getByRole("button", { name: "Load more" });
    for (let tabs = 0; tabs < 60 && !(await more.evaluate((el) => el === document.activeElement)); tabs++) await page.keyboard.press("Tab");
    assert.equal(await more.evaluate((el) => el === document.activeElement), true, "Load more is reached with Tab");
    await page.keyboard.press("Enter");
    // Every Support conversation (the first story added one live), as the API counts them.
    const all = await node.request("GET", `/v1/admin/conversations?botId=${support}&limit=200`, { key: acme.keys.admin });
    assert.ok(all.body.conversations.length > 25, all.text);
    await eventually(async () => assert.equal(await rows(page).count(), all.body.conversations.length));
    await page.screenshot({ path: `${SHOTS}/inbox-paged-375.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });
});
