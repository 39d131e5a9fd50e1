/**
 * The inbox, as agents live it: a visitor on a shop's site asks the widget for a person, an agent
 * signed into the console in another browser sees the conversation arrive without reloading,
 * claims it, answers (the visitor reads it live, with the agent's name), keeps a note the visitor
 * never sees, and hands back to the bot at a node picked from the flow. Two agents claiming at once:
 * one wins, the other is told who. A WhatsApp user answered from the inbox through the Graph API.
 * A viewer reads and cannot act. At 1280 px and 375 px, by keyboard, with axe-core.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { startFakeGraphApi } from "../channels/fake-graph-api.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { waitFor } from "../kit/eventually.ts";
import { browser as apiBrowser, tokenOf } from "../people/people-kit.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, ensureConsoleBuilt, eventually, launchChromium, openPage, type Tenant } from "./console-kit.ts";

const SHOTS = "/tmp/shots-inbox";
const PASSWORD = "a long enough password";
const PHONE_ID = "106540352242922";
const waSecrets = { accessToken: "EAAG-test-access-token-0001", appSecret: "app-secret-for-tests", verifyToken: "verify-token-for-tests" };

/** Billing questions go to a person, who hands back to "thanks" (or a node they pick), then a survey. */
const supportFlow = {
  start: "menu",
  nodes: [
    { id: "menu", type: "question", content: { question: "What do you need?", input_type: "choice", variable: "user.need", choices: [{ label: "Billing", value: "billing" }, { label: "Hours", value: "hours" }] }, connections: { default: "route" } },
    { id: "route", type: "condition", content: { conditions: [{ if: { "==": [{ var: "user.need" }, "billing"] }, then: "human" }], else: "hours" }, connections: {} },
    { id: "hours", type: "message", content: { messages: [{ type: "text", text: "We are open 9 to 5." }] }, connections: { default: "menu" } },
    { id: "human", type: "handoff", content: { message: "A person from billing will answer you here.", reason: "billing question" }, connections: { default: "thanks" } },
    { id: "thanks", type: "message", content: { messages: [{ type: "text", text: "Glad we could help." }] }, connections: { default: "survey" } },
    { id: "survey", type: "question", content: { question: "How did we do, 1 to 5?", input_type: "number", variable: "user.score" }, connections: { default: "bye" } },
    { id: "bye", type: "end", content: { message: "Thanks!" } },
  ],
};

/** The shop's own site, on another port: the widget's calls are cross-origin as on a real site. */
async function startShop(platformUrl: string, widgetKey: string, botId: string): Promise<{ url: string; close(): Promise<void> }> {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><main><h1>Acme shop</h1></main><script src="${platformUrl}/widget.js" data-key="${widgetKey}" data-bot="${botId}"></script></body></html>`;
  const server = http.createServer((_request, response) => response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Signs a person in the way they do: email and password on the console's sign-in page, then the Inbox from the rail. */
async function signInToInbox(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Inbox/ }).click();
  await page.getByRole("heading", { level: 1, name: "Inbox" }).waitFor();
  await page.getByRole("status").filter({ hasText: /^Live$/ }).waitFor();
}

const list = (page: Page) => page.getByRole("list", { name: "Conversations" });
const transcript = (page: Page) => page.getByRole("log", { name: "Transcript" });
const badge = (page: Page) => page.getByRole("navigation", { name: "Main" }).getByTestId("inbox-badge");
/** The widget's bubbles (in its open shadow root, which Playwright's CSS locators reach into). */
const bubbles = (page: Page) => page.locator(".log .msg").allTextContents();

describe("console: the inbox, where agents take conversations over from the bot", function () {
  this.timeout(300_000);
  let node: TestPlatform;
  let browser: Browser;
  let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;
  let shop: { url: string; close(): Promise<void> };
  let acme: Tenant;
  let botId: string;
  let seq = 0;

  /** A member of Acme with a role, who chose their name and password when accepting the invite. */
  async function member(email: string, name: string, role: string): Promise<void> {
    const invited = await node.request("POST", `/v1/admin/tenants/${acme.id}/invites`, { key: node.operatorKey, body: { email, role } });
    assert.equal(invited.status, 201, invited.text);
    const accepted = await apiBrowser(node).request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link), password: PASSWORD, name } });
    assert.equal(accepted.status, 201, accepted.text);
  }
  /** A web conversation started over the chat API, handed to a person by the menu's Billing branch. */
  async function waitingWebChat(): Promise<string> {
    const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId, userId: `visitor-${++seq}` } });
    assert.equal(started.status, 201, started.text);
    const handed = await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: acme.keys.widget, body: { choice: "billing" } });
    assert.equal(handed.body.status, "waiting_human", handed.text);
    return started.body.sessionId;
  }

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    graph = await startFakeGraphApi();
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { WHATSAPP_GRAPH_URL: graph.base } });
    // Paid: five stories' worth of API calls, webhooks and chats fall in a minute or two, near the free tier's 100 requests a minute.
    const created = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid", allowedDomains: ["127.0.0.1"] } });
    assert.equal(created.status, 201, created.text);
    acme = created.body;
    await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Support", flow: supportFlow, config: { branding: { title: "Acme help" } } } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    await member("alice@acme.test", "Alice", "agent");
    await member("bob@acme.test", "Bob", "agent");
    await member("vera@acme.test", "Vera", "viewer");
    shop = await startShop(node.url, acme.keys.widget, botId);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await shop?.close();
    await node?.cleanup();
    await graph?.close();
  });

  it("a visitor asks the widget for a person; Alice sees it arrive live, claims it, answers, notes, and hands back to the bot at the survey", async () => {
    const agent = await openPage(browser);
    const alice = agent.page;
    await signInToInbox(alice, node.url, "alice@acme.test");
    await alice.getByText("Nobody is waiting for a person.").waitFor();
    assert.equal(await badge(alice).count(), 0, "no badge while nobody waits");
    await assertAccessible(alice, "the empty inbox");
    // Set on this document: still there at the end means the page was never reloaded.
    await alice.evaluate(() => { (window as { sameDocument?: boolean }).sameDocument = true; });

    // The visitor, in another browser, on the shop's site.
    const visitorContext = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    const visitor = await visitorContext.newPage();
    const visitorErrors: string[] = [];
    visitor.on("pageerror", (error) => visitorErrors.push(error.message));
    await visitor.goto(shop.url);
    await visitor.locator(".launcher").click();
    await visitor.locator(".log .msg", { hasText: "What do you need?" }).waitFor();
    await visitor.locator("#bp-input").fill("agent");
    await visitor.keyboard.press("Enter");
    await visitor.locator(".log .msg", { hasText: "connecting you with a person" }).waitFor();

    // Alice's inbox, untouched: the conversation arrives in the list and the badge counts it.
    const row = list(alice).getByRole("link", { name: /Web visitor/ });
    await row.waitFor({ timeout: 10_000 });
    assert.match(await row.textContent() ?? "", /Waiting.*web.*Support.*user_asked/s);
    await eventually(async () => assert.equal(await badge(alice).textContent(), ", 1 waiting"));
    assert.equal(await alice.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Inbox/ }).textContent(), "Inbox, 1 waiting");
    await assertAccessible(alice, "the inbox with a conversation waiting");

    await row.click();
    await alice.getByRole("heading", { level: 2, name: /Web visitor/ }).waitFor();
    const sessionId = new URL(alice.url()).pathname.split("/").at(-1)!;
    await transcript(alice).getByText("What do you need?").waitFor();
    await transcript(alice).locator(".inbox-line.user", { hasText: "agent" }).waitFor();
    await alice.getByText(/Waiting for a person since .*: user_asked/).waitFor();
    const context = alice.getByRole("complementary", { name: "Context" });
    assert.match(await context.textContent() ?? "", /Channelweb/);
    await eventually(async () => assert.match(await context.getByRole("list", { name: "Path through the flow" }).textContent() ?? "", /menu/), { timeoutMs: 10_000 });
    await alice.getByRole("button", { name: "Claim" }).click();
    await alice.getByText("You have this conversation").waitFor();
    await eventually(async () => assert.equal(await badge(alice).count(), 0, "nobody is waiting any more"));

    // Alice answers by keyboard: the composer has focus once the conversation is hers.
    const reply = alice.getByLabel(/Reply to the user \(sent on web\)/);
    await eventually(async () => assert.equal(await reply.evaluate((el) => el === document.activeElement), true));
    await alice.keyboard.type("Hi, Alice from billing here. What can I do for you?");
    await alice.keyboard.press("Enter");
    const pushed = visitor.locator(".log .msg.agent", { hasText: "Alice from billing here" });
    await pushed.waitFor({ timeout: 10_000 });
    assert.equal(await pushed.locator(".who").textContent(), "Alice", "the visitor sees who answers");
    await transcript(alice).locator(".inbox-line.agent", { hasText: "Alice from billing here" }).waitFor();
    assert.equal(await transcript(alice).locator(".inbox-line.agent .inbox-line-who").first().textContent(), "Alice (agent)");

    // The visitor writes back; it shows up in Alice's open transcript.
    await visitor.locator("#bp-input").fill("My invoice 42 is wrong");
    await visitor.keyboard.press("Enter");
    await transcript(alice).locator(".inbox-line.user", { hasText: "My invoice 42 is wrong" }).waitFor({ timeout: 10_000 });

    // An internal note: in the conversation, marked as not sent.
    await alice.getByRole("radio", { name: "Internal note" }).check();
    await alice.getByLabel("Internal note (only agents see it)").fill("Refund approved by finance");
    await alice.getByRole("button", { name: "Add note" }).click();
    const note = transcript(alice).locator(".inbox-line.note", { hasText: "Refund approved by finance" });
    await note.waitFor();
    assert.match(await note.textContent() ?? "", /Internal note · Alice not sent to the user/);
    await assertAccessible(alice, "a claimed conversation with a note");
    await alice.screenshot({ path: `${SHOTS}/inbox-claimed-1280.png` });

    // Hand back to the bot at the survey, picked from the flow's nodes.
    await alice.getByRole("button", { name: "Hand back to the bot…" }).click();
    const dialog = alice.getByRole("dialog", { name: "Hand back to the bot" });
    const where = dialog.getByLabel("Resume the bot at");
    await eventually(async () => assert.ok((await where.locator("option").allTextContents()).includes("survey (question): How did we do, 1 to 5?")));
    assert.equal(await where.locator("option").first().textContent(), "Where it left off (node menu)", "the visitor asked by keyword while the menu waited");
    await assertAccessible(alice, "the hand-back dialog");
    await alice.screenshot({ path: `${SHOTS}/inbox-hand-back-1280.png` });
    await where.selectOption("survey");
    await dialog.getByRole("button", { name: "Hand back" }).click();
    await alice.getByRole("status").filter({ hasText: "Handed back to the bot at survey." }).waitFor();
    await visitor.locator(".log .msg", { hasText: "How did we do, 1 to 5?" }).waitFor({ timeout: 10_000 });
    await alice.getByText("The bot has this conversation.").waitFor();
    await transcript(alice).getByText("Handed back to the bot by Alice").waitFor();
    await transcript(alice).getByText("How did we do, 1 to 5?").waitFor();
    const lines = await transcript(alice).locator(".inbox-line").allTextContents();
    assert.ok(lines.findIndex((l) => l.includes("Handed back")) < lines.findIndex((l) => l.includes("How did we do")), lines.join(" | "));
    await eventually(async () => assert.match(await context.getByText("Back to the bot").textContent() ?? "", /Back to the bot/), { timeoutMs: 10_000 });
    assert.equal(await alice.getByRole("button", { name: "Claim" }).count(), 0);

    const seen = await bubbles(visitor);
    assert.ok(!seen.some((text) => text.includes("Refund approved")), "the note never reaches the visitor");
    const history = await node.request("GET", `/v1/chat/sessions/${sessionId}/history`, { key: acme.keys.widget });
    assert.ok(history.text.includes("Alice from billing here") && !history.text.includes("Refund approved"), history.text);
    await alice.screenshot({ path: `${SHOTS}/inbox-handed-back-1280.png`, fullPage: true });
    assert.equal(await alice.evaluate(() => (window as { sameDocument?: boolean }).sameDocument), true, "everything arrived without a reload");
    assert.deepEqual(agent.problems, []);
    assert.deepEqual(visitorErrors, []);
    await visitorContext.close();
    await agent.close();
  });

  it("two agents claim the same conversation at once: one wins, the other is told who", async () => {
    const sessionId = await waitingWebChat();
    const a = await openPage(browser);
    const b = await openPage(browser);
    await signInToInbox(a.page, node.url, "alice@acme.test");
    await signInToInbox(b.page, node.url, "bob@acme.test");
    for (const page of [a.page, b.page]) {
      await list(page).locator(`a[href$="/inbox/${sessionId}"]`).click();
      await page.getByRole("button", { name: "Claim" }).waitFor();
    }
    await Promise.all([a.page.getByRole("button", { name: "Claim" }).click(), b.page.getByRole("button", { name: "Claim" }).click()]);
    const claimed = await waitFor("the claim", async () => {
      const stored = await node.request("GET", `/v1/admin/conversations/${sessionId}`, { key: acme.keys.admin });
      return stored.body.handoff?.claimedBy?.name as string | undefined;
    });
    const [winner, loser] = claimed === "Alice" ? [a.page, b.page] : [b.page, a.page];
    await winner.getByText("You have this conversation").waitFor();
    const told = loser.getByRole("alert");
    await told.waitFor();
    assert.equal(await told.textContent(), `${claimed} claimed this conversation first`);
    await loser.getByText(`${claimed} is handling this conversation.`).waitFor();
    assert.equal(await loser.getByRole("button", { name: "Claim" }).count(), 0, "nothing left to claim");
    assert.equal(await loser.getByLabel(/Reply to the user/).count(), 0, "only the holder replies");
    await loser.getByLabel("Internal note (only agents see it)").waitFor();
    await assertAccessible(loser, "the loser's view");
    await loser.screenshot({ path: `${SHOTS}/inbox-claimed-by-other-1280.png` });
    assert.deepEqual([...a.problems, ...b.problems], []);
    await a.close();
    await b.close();
  });

  it("answers a WhatsApp user from the inbox, by keyboard: the reply goes out through the Graph API", async () => {
    const put = await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: acme.keys.admin, body: { phoneNumberId: PHONE_ID, ...waSecrets } });
    assert.equal(put.status, 200, put.text);
    const { page, problems, close } = await openPage(browser);
    await signInToInbox(page, node.url, "alice@acme.test");
    await page.getByLabel("Channel").selectOption("whatsapp");
    await page.getByText("Nobody is waiting for a person.").waitFor();

    const user = "15550009001";
    const post = async (text: string) => {
      const payload = { object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550001111", phone_number_id: PHONE_ID }, contacts: [{ profile: { name: "Ada" }, wa_id: user }], messages: [{ from: user, id: `wamid.in${++seq}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }] } }] }] };
      const rawBody = JSON.stringify(payload);
      const answer = await node.request("POST", `/v1/channels/whatsapp/${botId}/webhook`, { rawBody, headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", waSecrets.appSecret).update(rawBody).digest("hex")}` } });
      assert.equal(answer.status, 200, answer.text);
    };
    const sentTo = () => graph.sends.filter((s) => s.body.to === user);
    await post("hi");
    await waitFor("the menu on WhatsApp", () => sentTo().length >= 1);
    await post("Billing");
    await waitFor("the handoff message on WhatsApp", () => sentTo().some((s) => s.body.text?.body === "A person from billing will answer you here."));

    const row = list(page).getByRole("link", { name: new RegExp(user) });
    await row.waitFor({ timeout: 10_000 });
    assert.match(await row.textContent() ?? "", /Waiting.*whatsapp.*billing question/s);
    // Keyboard only: to the row, open it, claim it, write, send.
    await row.focus();
    await page.keyboard.press("Enter");
    const heading = page.getByRole("heading", { level: 2, name: user });
    await heading.waitFor();
    await eventually(async () => assert.equal(await heading.evaluate((el) => el === document.activeElement), true, "opening a conversation takes focus to it"));
    await transcript(page).locator(".inbox-line.user", { hasText: "Billing" }).waitFor();
    const claim = page.getByRole("button", { name: "Claim" });
    for (let tabs = 0; tabs < 6 && !(await claim.evaluate((el) => el === document.activeElement)); tabs++) await page.keyboard.press("Tab");
    assert.equal(await claim.evaluate((el) => el === document.activeElement), true, "Claim is reached with Tab");
    await page.keyboard.press("Enter");
    const reply = page.getByLabel("Reply to the user (sent on whatsapp)");
    await eventually(async () => assert.equal(await reply.evaluate((el) => el === document.activeElement), true));
    const before = sentTo().length;
    await page.keyboard.type("Hi Ada, Alice from billing here.");
    await page.keyboard.press("Enter");
    const sent = await waitFor("the reply at the Graph API", () => sentTo().length > before && sentTo().at(-1));
    assert.deepEqual([sent.body.type, sent.body.text.body, sent.phoneNumberId, sent.authorization], ["text", "Hi Ada, Alice from billing here.", PHONE_ID, `Bearer ${waSecrets.accessToken}`]);
    await transcript(page).locator(".inbox-line.agent", { hasText: "Hi Ada, Alice from billing here." }).waitFor();
    assert.equal(await page.getByRole("alert").count(), 0, "WhatsApp took the message");

    // Alice closes it with a last word, which goes out on WhatsApp too.
    await page.getByRole("button", { name: "Close…" }).click();
    const dialog = page.getByRole("dialog", { name: "Close the conversation" });
    await dialog.getByLabel("Last message to the user (optional)").fill("Your refund is on its way. Bye!");
    await dialog.getByRole("button", { name: "Close conversation" }).click();
    await page.getByText("This conversation has ended.").waitFor();
    await waitFor("the last word on WhatsApp", () => sentTo().some((s) => s.body.text?.body === "Your refund is on its way. Bye!"));
    assert.equal(await page.getByLabel(/Reply to the user/).count(), 0, "an ended conversation takes no reply");
    await page.screenshot({ path: `${SHOTS}/inbox-whatsapp-1280.png` });
    assert.deepEqual(problems, []);
    await close();
  });

  it("shows a viewer the inbox read-only, and the API refuses the viewer's claim", async () => {
    const sessionId = await waitingWebChat();
    const { page, problems, close } = await openPage(browser);
    await signInToInbox(page, node.url, "vera@acme.test");
    await list(page).locator(`a[href$="/inbox/${sessionId}"]`).click();
    await transcript(page).getByText("A person from billing will answer you here.").waitFor();
    await page.getByText("You can read conversations; your role cannot answer them.").waitFor();
    for (const name of ["Claim", "Take over", "Hand back to the bot…", "Close…", "Send", "Add note"]) {
      assert.equal(await page.getByRole("button", { name }).count(), 0, `no ${name} for a viewer`);
    }
    assert.equal(await page.getByRole("textbox", { name: /Reply|note/ }).count(), 0);
    await assertAccessible(page, "the viewer's inbox");
    // A laptop: the context moves under the conversation.
    await page.setViewportSize({ width: 1024, height: 760 });
    await assertNoSidewaysScroll(page, "the inbox at 1024 px");
    await page.screenshot({ path: `${SHOTS}/inbox-viewer-1024.png`, fullPage: true });
    // The same signed-in viewer, straight to the API: refused by role, not by a missing token.
    const csrf = (await page.context().request.get(`${node.url}/v1/auth/session`).then((r) => r.json())).csrfToken as string;
    const refused = await page.context().request.post(`${node.url}/v1/admin/conversations/${sessionId}/claim`, { headers: { "x-csrf-token": csrf, "content-type": "application/json" }, data: {} });
    assert.equal(refused.status(), 403);
    assert.equal((await refused.json()).error.code, "ROLE_FORBIDDEN");
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px: the list alone, then the conversation with its context below and a way back", async () => {
    const sessionId = await waitingWebChat();
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInToInbox(page, node.url, "alice@acme.test");
    await list(page).locator(`a[href$="/inbox/${sessionId}"]`).waitFor();
    await assertNoSidewaysScroll(page, "the inbox list");
    await assertAccessible(page, "the inbox list at 375 px");
    await page.screenshot({ path: `${SHOTS}/inbox-list-375.png`, fullPage: true });
    await list(page).locator(`a[href$="/inbox/${sessionId}"]`).click();
    await page.getByRole("button", { name: "Claim" }).click();
    await page.getByLabel(/Reply to the user/).fill("Hello from a phone");
    await page.getByRole("button", { name: "Send" }).click();
    await transcript(page).locator(".inbox-line.agent", { hasText: "Hello from a phone" }).waitFor();
    assert.equal(await list(page).isVisible(), false, "the open conversation takes the screen");
    const transcriptBox = await transcript(page).boundingBox();
    const contextBox = await page.getByRole("complementary", { name: "Context" }).boundingBox();
    assert.ok(transcriptBox && contextBox && contextBox.y > transcriptBox.y, "the context stacks below the transcript");
    await assertNoSidewaysScroll(page, "a conversation");
    await assertAccessible(page, "a conversation at 375 px");
    await page.screenshot({ path: `${SHOTS}/inbox-conversation-375.png`, fullPage: true });
    await page.getByRole("link", { name: "← All conversations" }).click();
    await list(page).waitFor();
    assert.deepEqual(problems, []);
    await close();
  });
});
