/**
 * A tenant admin opens a bot's Channels page: connects WhatsApp (a wrong token is refused by the
 * fake Graph API and the page says why; the right one is "connected"), copies the webhook URL, does
 * the same for Twilio, changes the web widget's colour, title, launcher text and greeting and sees
 * the preview follow, saves, and finds the new look on a site that embeds the copied tag; then
 * limits the widget to the allowed domains, and a site elsewhere is refused by the chat API. At 1280
 * and 375 px, by keyboard, with axe-core finding no serious or critical violation; a viewer is told
 * the page is the admins'.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startFakeGraphApi } from "../channels/fake-graph-api.ts";
import { startFakeTwilioApi } from "../channels/fake-twilio-api.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, createTenant, ensureConsoleBuilt, eventually, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

const SHOTS = "/tmp/shots-channels";
const PHONE_ID = "106540352242922";
const wa = { accessToken: "EAAG-the-right-access-token", appSecret: "app-secret-for-console", verifyToken: "verify-token-for-console" };
const accountSid = `AC${"c3".repeat(16)}`;
const authToken = "twilio-auth-token-for-console";
const BOT_NUMBER = "+15005550006";
// A 1×1 green PNG: the avatar the site serves.
const AVATAR = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

/** A site on its own port: the page that embeds the tag the admin copied, and the avatar. */
async function startSite() {
  let embed = "";
  const server = http.createServer((request, response) => {
    if (request.url === "/avatar.png") return response.writeHead(200, { "content-type": "image/png" }).end(AVATAR);
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><main><h1>Acme shop</h1><p>Garden tools since 1999.</p></main>${embed}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, embed: (tag: string) => { embed = tag; }, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The widget's colour as the browser computed it (inside its shadow root, where Playwright's CSS locators reach). */
const background = (locator: ReturnType<Page["locator"]>) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);

describe("console: a bot's channels and web widget", function () {
  this.timeout(300_000);
  let node: TestPlatform;
  let browser: Browser;
  let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;
  let rest: Awaited<ReturnType<typeof startFakeTwilioApi>>;
  let site: Awaited<ReturnType<typeof startSite>>;
  let acme: Tenant;
  let botId: string;

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    graph = await startFakeGraphApi();
    graph.addPhoneNumber(PHONE_ID, { ...wa, displayPhoneNumber: "+1 555-010-0199", verifiedName: "Acme Support" });
    rest = await startFakeTwilioApi();
    rest.addAccount(accountSid, { authToken, friendlyName: "Acme Ltd", phoneNumbers: [BOT_NUMBER] });
    site = await startSite();
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { WHATSAPP_GRAPH_URL: graph.base, TWILIO_API_URL: rest.base } });
    acme = await createTenant(node, "Acme");
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Support", flow: exampleFlow } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
    await graph?.close();
    await rest?.close();
    await site?.close();
  });

  it("connects WhatsApp and Twilio after checking their credentials with the vendor, and copies the webhook URL", async () => {
    const { page, problems, close } = await openPage(browser);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: node.url });
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.getByRole("link", { name: "Support" }).click();
    await page.getByRole("link", { name: "Channels" }).click();
    await page.getByRole("heading", { level: 1, name: "Support: channels" }).waitFor();
    const whatsapp = page.getByRole("form", { name: "WhatsApp settings" });
    await whatsapp.waitFor();
    await assertAccessible(page, "the channels page of a bot with none set up");

    // A wrong token first: the fake Graph API refuses it as Meta does, and the page says why.
    await whatsapp.getByLabel("Phone number ID").fill(PHONE_ID);
    await whatsapp.getByLabel("Access token").fill("EAAG-an-old-expired-token");
    await whatsapp.getByLabel("App secret").fill(wa.appSecret);
    await whatsapp.getByLabel("Verify token").fill(wa.verifyToken);
    await whatsapp.getByRole("button", { name: "Check credentials" }).click();
    const waStatus = whatsapp.getByRole("status");
    await waStatus.getByText(/^Not connected: The access token was refused\. Meta says: Invalid OAuth access token/).waitFor();
    assert.match(await waStatus.textContent() ?? "", /code 190/);
    await page.locator("#whatsapp").screenshot({ path: `${SHOTS}/whatsapp-refused.png` });

    await whatsapp.getByLabel("Access token").fill(wa.accessToken);
    await whatsapp.getByRole("button", { name: "Check credentials" }).click();
    await waStatus.getByText("Connected: +1 555-010-0199 (Acme Support). These credentials work.").waitFor();
    assert.equal(await page.locator("#whatsapp .channel-head .badge").textContent(), "Connected");
    assert.equal((await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: acme.keys.admin })).status, 404, "checking saves nothing");
    await whatsapp.getByRole("button", { name: "Connect WhatsApp" }).click();
    await waStatus.getByText(/^Saved\./).waitFor();
    // The check made before connecting was of the values now stored: the card says so, after a reload too.
    const lastCheck = page.locator("#whatsapp .last-check");
    await lastCheck.getByText("Last checked just now: connected as +1 555-010-0199 (Acme Support).").waitFor();
    await page.reload();
    await lastCheck.getByText("Last checked just now: connected as +1 555-010-0199 (Acme Support).").waitFor();
    assert.equal(await page.locator("#whatsapp .channel-head .badge").textContent(), "Connected");
    // Secrets are never shown back: each says it is set, and can be replaced.
    await whatsapp.getByRole("button", { name: "Replace the access token" }).waitFor();
    assert.equal(await whatsapp.getByRole("group", { name: "App secret" }).getByText("Set", { exact: true }).count(), 1);
    assert.ok(!(await page.content()).includes(wa.accessToken), "no secret in the page");
    await page.locator("#whatsapp").screenshot({ path: `${SHOTS}/whatsapp-connected.png` });

    // The webhook URL, copied with the button, is the one Meta's handshake reaches.
    const webhookUrl = `${node.url}/v1/channels/whatsapp/${botId}/webhook`;
    await page.locator("#whatsapp").getByRole("button", { name: "Copy the webhook url" }).click();
    await page.locator("#whatsapp").getByText("Copied.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), webhookUrl);
    const handshake = await fetch(`${webhookUrl}?hub.mode=subscribe&hub.verify_token=${wa.verifyToken}&hub.challenge=8080`);
    assert.deepEqual([handshake.status, await handshake.text()], [200, "8080"]);

    // By keyboard: replace the token (the new field takes the focus), then keep the stored one after all.
    await whatsapp.getByRole("button", { name: "Replace the access token" }).focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type), "password", "the new token's field has the focus");
    await page.keyboard.type("EAAG-typed-by-keyboard");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await whatsapp.getByRole("button", { name: "Replace the access token" }).waitFor();

    // Twilio, the same way: a wrong auth token, then the right one.
    const twilio = page.getByRole("form", { name: "Twilio (SMS and voice) settings" });
    await twilio.getByLabel("Account SID").fill(accountSid);
    await twilio.getByRole("combobox", { name: "Phone number 1" }).fill(BOT_NUMBER);
    await twilio.getByLabel("Auth token").fill("not-the-auth-token-at-all");
    await twilio.getByRole("button", { name: "Check credentials" }).click();
    await twilio.getByRole("status").getByText(/^Not connected: The Account SID and auth token were refused\. Twilio says: Authenticate \(error 20003\)/).waitFor();
    await twilio.getByLabel("Auth token").fill(authToken);
    await twilio.getByRole("button", { name: "Check credentials" }).focus();
    await page.keyboard.press("Enter");
    await twilio.getByRole("status").getByText(`Connected: Acme Ltd (${BOT_NUMBER}). These credentials work.`).waitFor();
    await twilio.getByRole("button", { name: "Connect Twilio" }).click();
    await twilio.getByRole("status").getByText(/^Saved\./).waitFor();
    const stored = await node.request("GET", `/v1/admin/bots/${botId}/channels/twilio`, { key: acme.keys.admin });
    assert.deepEqual([stored.body.config.accountSid, stored.body.config.phoneNumbers], [accountSid, [BOT_NUMBER]]);
    assert.equal(await page.locator("#twilio").getByRole("textbox", { name: "SMS URL" }).inputValue(), `${node.url}/v1/channels/twilio/${botId}/sms`);
    await assertAccessible(page, "the channels page with WhatsApp and Twilio connected");
    await page.screenshot({ path: `${SHOTS}/channels-1280.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("changes the widget's look with a live preview, and a site with the copied tag shows it; allowed domains are enforced", async () => {
    const { page, problems, close } = await openPage(browser);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: node.url });
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${botId}/channels`);
    const look = page.getByRole("form", { name: "Widget look" });
    await look.waitFor();
    const preview: FrameLocator = page.frameLocator("iframe[title='Widget preview']");
    // The preview is the real widget: its title is the bot's name until one is set.
    await eventually(async () => assert.equal(await preview.locator(".title").textContent(), "Support"));
    assert.equal(await background(preview.locator(".header")), "rgb(26, 115, 232)");

    await look.getByLabel("Title").fill("Acme help");
    await look.getByLabel("Primary colour").fill("#0b7a4b");
    await look.getByLabel("Launcher text").fill("Chat with us");
    await look.getByLabel("Greeting").fill("Hi! How can we help?");
    await look.getByLabel("Avatar URL").fill(`http://127.0.0.1:${site.port}/avatar.png`);
    await eventually(async () => {
      assert.equal(await preview.locator(".title").textContent(), "Acme help");
      assert.equal(await background(preview.locator(".header")), "rgb(11, 122, 75)");
      assert.equal(await preview.locator(".launcher-text").textContent(), "Chat with us");
      assert.equal(await preview.locator(".msg.greeting").textContent(), "Hi! How can we help?");
      assert.equal(await preview.locator(".root.has-avatar").count(), 1);
    });
    await look.getByText("Unsaved changes").waitFor();
    // A colour that text cannot be read on is pointed out.
    await look.getByLabel("Text colour").fill("#dddddd");
    await look.getByText(/hard to read \(contrast/).waitFor();
    await look.getByLabel("Text colour").fill("#ffffff");
    await page.locator("#web-widget").screenshot({ path: `${SHOTS}/widget-preview-1280.png` });
    await assertAccessible(page, "the widget settings with the preview");

    await look.getByRole("button", { name: "Save the widget" }).click();
    await look.getByText(/^Saved\. Sites show the new look/).waitFor();
    const served = await node.request("GET", `/v1/widget/config?botId=${botId}`, { key: acme.keys.widget });
    assert.deepEqual([served.body.branding.title, served.body.branding.primaryColor, served.body.branding.launcherText, served.body.greeting], ["Acme help", "#0b7a4b", "Chat with us", "Hi! How can we help?"]);

    // The tag to copy carries the widget key as issued (public, so the platform keeps it), and the key has its own field.
    assert.equal(await page.getByLabel("Widget key", { exact: true }).inputValue(), acme.keys.widget);
    await page.getByRole("button", { name: "Copy the embed tag" }).click();
    const tag = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(tag, `<script src="${node.url}/widget.js" data-key="${acme.keys.widget}" data-bot="${botId}" async></script>`);
    site.embed(tag);

    // A real site with the tag: the widget served at /widget.js shows the saved look and talks to the bot.
    const visitor = await openPage(browser);
    await visitor.page.goto(`http://127.0.0.1:${site.port}/`);
    const launcher = visitor.page.locator(".launcher");
    await launcher.and(visitor.page.locator("[aria-label='Chat with us: chat with Acme help']")).waitFor();
    assert.equal(await launcher.locator(".launcher-text").textContent(), "Chat with us");
    assert.equal(await background(launcher), "rgb(11, 122, 75)");
    await launcher.click();
    await visitor.page.locator(".log .msg.greeting", { hasText: "Hi! How can we help?" }).waitFor();
    await visitor.page.locator(".log .msg.bot", { hasText: "Hi! I'm the demo bot." }).waitFor();
    assert.equal(await visitor.page.locator(".title").textContent(), "Acme help");
    assert.equal(await visitor.page.locator(".root.has-avatar").count(), 1);
    await visitor.page.screenshot({ path: `${SHOTS}/site-with-widget.png` });
    assert.deepEqual(visitor.problems, []);
    await visitor.close();

    // Only the shop's own host from now on: a typo is named before saving.
    const domains = page.getByLabel("Allowed domains");
    await domains.fill("shop.acme.test\nthe shop's site");
    await page.getByText("Not a host name: the shop's site").waitFor();
    assert.equal(await page.getByRole("button", { name: "Save allowed domains" }).isDisabled(), true);
    await domains.fill("127.0.0.1\nshop.acme.test");
    await page.getByRole("button", { name: "Save allowed domains" }).click();
    await page.getByText("Saved: only 127.0.0.1, shop.acme.test may use the widget.").waitFor();
    await page.locator("#web-widget").screenshot({ path: `${SHOTS}/widget-domains-1280.png` });

    // The same page served as localhost is another site: the chat API refuses it, and the widget says so.
    const elsewhere = await openPage(browser);
    await elsewhere.page.goto(`http://localhost:${site.port}/`);
    await elsewhere.page.locator(".launcher").click();
    await elsewhere.page.locator(".error", { hasText: "This site is not among the tenant's allowed domains" }).waitFor();
    await elsewhere.page.screenshot({ path: `${SHOTS}/site-refused.png` });
    await elsewhere.close();
    const refused = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId }, headers: { origin: `http://localhost:${site.port}` } });
    assert.deepEqual([refused.status, refused.body.error.code], [403, "ORIGIN_NOT_ALLOWED"]);
    const allowed = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId }, headers: { origin: `http://127.0.0.1:${site.port}` } });
    assert.equal(allowed.status, 201, allowed.text);
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px, the preview included", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${botId}/channels`);
    await page.getByRole("form", { name: "Widget look" }).waitFor();
    await page.getByRole("form", { name: "Twilio (SMS and voice) settings" }).waitFor();
    const preview = page.frameLocator("iframe[title='Widget preview']");
    const saved = (await node.request("GET", `/v1/admin/bots/${botId}/widget`, { key: acme.keys.admin })).body;
    await eventually(async () => assert.equal(await preview.locator(".title").textContent(), saved.branding.title ?? saved.name));
    await assertNoSidewaysScroll(page, "the channels page");
    await assertAccessible(page, "the channels page at 375 px");
    await page.screenshot({ path: `${SHOTS}/channels-375.png`, fullPage: true });
    for (const section of ["web-widget", "whatsapp", "twilio"]) await page.locator(`#${section}`).screenshot({ path: `${SHOTS}/${section}-375.png` });
    await page.locator("iframe[title='Widget preview']").scrollIntoViewIfNeeded();
    // The sandboxed frame paints on its own after a scroll; the screenshot waits for it (what a person sees at once).
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${SHOTS}/preview-375.png` });
    assert.deepEqual(problems, []);
    await close();
  });

  it("keeps the last check: a refusal shows on the card after a reload, by keyboard; a widget key issued before keys were kept is replaced for the tag", async () => {
    // The stored token stops working (revoked at Meta, say): the admin checks the stored values again.
    const put = await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: acme.keys.admin, body: { phoneNumberId: PHONE_ID, ...wa, accessToken: "EAAG-revoked-at-meta" } });
    assert.equal(put.status, 200, put.text);
    // A key as issued before the platform kept widget keys (migration 0032): only its hash is known.
    const sql = node.platform.context.db.orm.em.fork().getConnection();
    await sql.execute(`update api_key set public_key = null where tenant_id = ? and kind = 'widget'`, [acme.id]);
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${botId}/channels`);
    const card = page.locator("#whatsapp");
    await card.getByRole("heading", { name: "WhatsApp", exact: true }).waitFor();
    assert.equal(await card.locator(".last-check").count(), 0, "the check of the old token says nothing about the new one");
    await card.getByRole("button", { name: "Check credentials" }).focus();
    await page.keyboard.press("Enter");
    await card.getByRole("status").getByText(/^Not connected: The access token was refused/).waitFor();
    await page.reload();
    const line = card.locator(".last-check");
    await line.waitFor();
    assert.match(await line.textContent() ?? "", /^Last checked just now: not connected\. The access token was refused\. Meta says: Invalid OAuth access token/);
    assert.equal(await card.locator(".channel-head .badge").textContent(), "Not connected");
    const stored = await node.request("GET", `/v1/admin/bots/${botId}/channels`, { key: acme.keys.admin });
    const lastCheck = stored.body.channels.find((c: { channel: string }) => c.channel === "whatsapp").lastCheck;
    assert.equal(lastCheck.connected, false);
    assert.equal(lastCheck.problem.code, "WHATSAPP_TOKEN_INVALID", JSON.stringify(lastCheck));
    await assertAccessible(page, "a channel whose last check failed");
    await card.screenshot({ path: `${SHOTS}/whatsapp-last-check-refused.png` });

    // The widget: the old key is not known, so the page offers a new one (the old one keeps working).
    const widget = page.locator("#web-widget");
    await widget.getByLabel("Your widget key").waitFor();
    await widget.getByRole("button", { name: "Issue a widget key for this tag" }).click();
    const keyField = widget.getByLabel("Widget key", { exact: true });
    await keyField.waitFor();
    const issued = await keyField.inputValue();
    assert.match(issued, /^pk_/);
    assert.notEqual(issued, acme.keys.widget);
    assert.match(await widget.getByRole("textbox", { name: "Embed tag" }).inputValue(), new RegExp(`data-key="${issued}"`));
    for (const key of [issued, acme.keys.widget]) {
      const config = await node.request("GET", `/v1/widget/config?botId=${botId}`, { key });
      assert.equal(config.status, 200, `both keys open the widget: ${config.text}`);
    }
    await assertAccessible(page, "the widget with its key");
    await widget.screenshot({ path: `${SHOTS}/widget-key.png` });
    assert.deepEqual(problems, []);
    await close();
  });

  it("tells a viewer the page is the admins', and the API refuses a viewer's or an editor's changes", async () => {
    const keys: Record<string, string> = {};
    for (const role of ["viewer", "editor"]) {
      const issued = await node.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { key: acme.keys.admin, body: { kind: "admin", role } });
      assert.equal(issued.status, 201, issued.text);
      keys[role] = issued.body.key;
    }
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, keys.viewer!);
    await page.goto(`${node.url}/console/bots/${botId}/channels`);
    await page.getByRole("alert").filter({ hasText: "set up by the tenant's admins and owners" }).waitFor();
    assert.equal(await page.getByRole("form", { name: "Widget look" }).count(), 0);
    await assertAccessible(page, "the channels page for a viewer");
    for (const role of ["viewer", "editor"]) {
      const key = keys[role]!;
      const put = await node.request("PUT", `/v1/admin/bots/${botId}/channels/twilio`, { key, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER] } });
      assert.deepEqual([put.status, put.body.error.code], [403, "ROLE_FORBIDDEN"], `${role}: channel`);
      const widget = await node.request("PUT", `/v1/admin/bots/${botId}/widget`, { key, body: { branding: { primaryColor: "#000000" } } });
      assert.deepEqual([widget.status, widget.body.error.code], [403, "ROLE_FORBIDDEN"], `${role}: widget`);
      const domains = await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key, body: { allowedDomains: [] } });
      assert.equal(domains.status, 403, `${role}: allowed domains`);
    }
    assert.deepEqual(problems, []);
    await close();
  });
});
