/**
 * An owner looks after the tenant in Settings: makes an API key (sees it once, it works, then only
 * its label shows) and revokes it (it stops working); invites a member and changes their role; sets
 * a secret and rotates it (its value never shows); connects a CRM (its token write-only); adds an
 * event webhook to a receiver, watches a delivery arrive in the log and sends it again; picks a
 * bot's AI model; reads usage against the tenant's quotas; and finds all of it in the audit log
 * under their email. A viewer sees settings read-only, and the API refuses their change. At 1280 px
 * and 375 px, by keyboard, with axe-core.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../kit/webhook-receiver.ts";
import { memberWithRole, tenantWithOwner, tokenOf, browser as apiBrowser, type Browser as ApiBrowser } from "../people/people-kit.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, ensureConsoleBuilt, eventually, launchChromium, openPage } from "./console-kit.ts";

const SHOTS = "/tmp/shots-settings";
const OWNER = { email: "owner@acme.test", password: "correct horse battery" };
const greeter = {
  start: "hello",
  nodes: [
    { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Hello!" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ],
};

async function signInWithPassword(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();
}

const section = (page: Page, name: string) => page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name, exact: true });

describe("console: the tenant's settings", function () {
  this.timeout(300_000);
  let node: TestPlatform;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let acme: Awaited<ReturnType<typeof tenantWithOwner>>;
  let botId: string;

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    mkdirSync(SHOTS, { recursive: true });
    // The webhook receiver listens on loopback.
    // Seven settings pages loaded in a row, each with its reads and the rail's live inbox stream, pass a
    // free tenant's 100 requests a minute; the limit has tests of its own.
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true", RATE_LIMIT_FREE_PER_MINUTE: "1000" } });
    acme = await tenantWithOwner(node, "Acme", OWNER.email, OWNER.password);
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Greeter", flow: greeter } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    receiver = await startWebhookReceiver();
  });
  before(async () => { browser = await launchChromium(); });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await node?.cleanup();
  });

  it("lets an owner manage keys, members, secrets, the CRM, webhooks and a bot's AI, and read usage and the audit log", async () => {
    const { page, problems, close } = await openPage(browser);
    await signInWithPassword(page, node.url, OWNER.email, OWNER.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { level: 1, name: "Settings · Members" }).waitFor();

    // An API key: shown once, it works, and after a reload only its label and prefix show.
    await section(page, "API keys").click();
    await page.getByRole("heading", { level: 1, name: "Settings · API keys" }).waitFor();
    const keyForm = page.getByRole("form", { name: "Create an API key" });
    await keyForm.getByLabel("Label").fill("CI deploys");
    await keyForm.getByLabel("Role").selectOption("editor");
    await keyForm.getByRole("button", { name: "Create key" }).click();
    const once = page.getByRole("region", { name: "New key “CI deploys”" });
    await once.waitFor();
    const key = await once.getByLabel("New key").inputValue();
    assert.match(key, /^sk_/);
    await assertAccessible(page, "the API keys with a new key shown once");
    await page.screenshot({ path: `${SHOTS}/keys-shown-once.png`, fullPage: true });
    assert.equal((await node.request("POST", "/v1/admin/bots", { key, body: { name: "Made by CI" } })).status, 201, "the new key works against the API");
    await once.getByRole("button", { name: "I have copied it" }).click();
    await page.reload();
    const keys = page.getByRole("region", { name: "API keys" });
    const ciRow = keys.getByRole("row").filter({ hasText: "CI deploys" });
    await ciRow.waitFor();
    assert.match(await ciRow.textContent() ?? "", /editor/);
    assert.ok(!(await page.content()).includes(key), "after a reload the key itself is nowhere on the page");
    await ciRow.getByRole("button", { name: "Revoke CI deploys" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await page.getByText("Revoked “CI deploys”. It stops working at once.").waitFor();
    assert.equal((await node.request("GET", "/v1/admin/bots", { key })).status, 401, "a revoked key stops working");

    // A member: invited with a role, then given another.
    await section(page, "Members").click();
    const inviteForm = page.getByRole("form", { name: "Invite a member" });
    await inviteForm.getByLabel("Email").fill("sam@acme.test");
    await inviteForm.getByLabel("Role").selectOption("viewer");
    await inviteForm.getByRole("button", { name: "Send invite" }).click();
    await page.getByText("Invited sam@acme.test as viewer.").waitFor();
    await page.getByRole("region", { name: "Open invitations" }).getByRole("row").filter({ hasText: "sam@acme.test" }).waitFor();
    const link = await page.locator(".shown-once .mono").textContent();
    const sam = apiBrowser(node);
    assert.equal((await sam.request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(link!), password: "sam's long password" } })).status, 201);
    await page.reload();
    const role = page.getByRole("combobox", { name: "Role of sam@acme.test" });
    assert.equal(await role.inputValue(), "viewer");
    await role.selectOption("editor");
    await page.getByText("sam@acme.test is now editor.").waitFor();
    const members = (await node.request("GET", "/v1/admin/members", { key: acme.keys.admin })).body.members as { email: string; role: string }[];
    assert.equal(members.find((m) => m.email === "sam@acme.test")?.role, "editor");
    await assertAccessible(page, "the members");
    await page.screenshot({ path: `${SHOTS}/members.png`, fullPage: true });

    // A secret: set, then rotated; its value is never on the page.
    await section(page, "Secrets").click();
    const secretForm = page.getByRole("form", { name: "Add a secret" });
    await secretForm.getByLabel("Name").fill("crm_token");
    await secretForm.getByLabel("Value").fill("first-value-8231");
    await secretForm.getByLabel("Allowed hosts").fill("api.crm.example, *.hubapi.example");
    await secretForm.getByRole("button", { name: "Save secret" }).click();
    await page.getByText("Saved “crm_token”.").waitFor();
    await page.getByRole("button", { name: "Allowed hosts of crm_token" }).click();
    await page.getByRole("dialog").getByLabel("Allowed hosts").fill("api.crm.example\n*.hubapi.example\n127.0.0.1");
    await page.getByRole("dialog").getByRole("button", { name: "Save hosts" }).click();
    await page.getByText("Saved the hosts of “crm_token”.").waitFor();
    await page.getByRole("region", { name: "Secrets" }).getByText("api.crm.example, *.hubapi.example, 127.0.0.1").waitFor();
    await page.getByRole("button", { name: "Rotate crm_token" }).click();
    await page.getByRole("dialog").getByLabel("New value").fill("second-value-5517");
    await page.getByRole("dialog").getByRole("button", { name: "Replace value" }).click();
    await page.getByText("Rotated “crm_token”").waitFor();
    const resolved = await node.platform.broker.call("secrets.resolve", { tenantId: acme.id, name: "crm_token", host: "127.0.0.1" });
    assert.equal(resolved, "second-value-5517", "the rotated value is the one flows get");
    const html = await page.content();
    assert.ok(!html.includes("first-value-8231") && !html.includes("second-value-5517"), "no secret value on the page");
    await assertAccessible(page, "the secrets");

    // The CRM connector: its settings drawn from the connector's schema, its credential write-only.
    await section(page, "CRM").click();
    const crm = page.getByRole("form", { name: "CRM connector" });
    await crm.getByLabel("Connector").selectOption("hubspot");
    await crm.getByLabel("Api url").fill("https://api-eu1.hubapi.com");
    await crm.getByLabel("token").fill("pat-eu1-0000-secret");
    await crm.getByRole("button", { name: "Save CRM settings" }).click();
    await page.getByText("Saved: the hubspot connector is in use.").waitFor();
    await page.reload();
    await crm.getByPlaceholder("stored: leave blank to keep").first().waitFor();
    assert.equal(await crm.getByLabel("token").inputValue(), "");
    assert.ok(!(await page.content()).includes("pat-eu1-0000-secret"), "a credential never comes back to the page");
    await crm.getByLabel("CRM field").first().fill("email");
    await crm.getByRole("button", { name: "Save CRM settings" }).click();
    await page.getByText("Saved: the hubspot connector is in use.").waitFor();
    const storedCrm = (await node.request("GET", "/v1/admin/crm", { key: acme.keys.admin })).body;
    assert.deepEqual([storedCrm.connector, storedCrm.config.apiUrl, storedCrm.credentialNames], ["hubspot", "https://api-eu1.hubapi.com", ["token"]], "saving again kept the stored token");
    await assertAccessible(page, "the CRM settings");
    await page.screenshot({ path: `${SHOTS}/crm.png`, fullPage: true });

    // An event webhook: its signing secret shown once, a delivery in the log, and Redeliver.
    await section(page, "Webhooks").click();
    const hookForm = page.getByRole("form", { name: "Add a webhook" });
    await hookForm.getByLabel("URL").fill(`${receiver.base}/hooks/acme`);
    await hookForm.getByRole("checkbox", { name: "All events" }).uncheck();
    await hookForm.getByRole("checkbox", { name: "conversation.session.started" }).check();
    await hookForm.getByRole("button", { name: "Add webhook" }).click();
    const signing = page.getByRole("region", { name: `Signing secret of ${receiver.base}/hooks/acme` });
    const secret = await signing.getByLabel("Signing secret").inputValue();
    assert.match(secret, /^whsec_/);
    receiver.verifyAt("/hooks/acme", { shown: new Webhook(secret) });
    await signing.getByRole("button", { name: "I have copied it" }).click();
    const chat = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId, userId: "visitor-1" } });
    assert.equal(chat.status, 201, chat.text);
    await page.getByRole("link", { name: `Deliveries of ${receiver.base}/hooks/acme` }).click();
    await page.getByRole("heading", { level: 1, name: "Webhook" }).waitFor();
    const deliveries = page.getByRole("region", { name: "Deliveries" });
    const started = deliveries.getByRole("row").filter({ hasText: "conversation.session.started" });
    await eventually(async () => assert.match(await started.textContent() ?? "", /delivered.*200/), { timeoutMs: 15_000 });
    assert.equal(receiver.at("/hooks/acme").length, 1);
    assert.deepEqual(receiver.at("/hooks/acme")[0]!.verdicts, { shown: true }, "signed with the secret shown once");
    await assertAccessible(page, "a webhook's delivery log");
    await page.screenshot({ path: `${SHOTS}/webhook-deliveries.png`, fullPage: true });
    await started.getByRole("button", { name: /^Redeliver/ }).click();
    await page.getByText("Sending conversation.session.started again.").waitFor();
    await eventually(() => assert.equal(receiver.at("/hooks/acme").length, 2), { timeoutMs: 15_000 });
    const [first, second] = receiver.at("/hooks/acme");
    assert.equal(second!.headers["webhook-id"], first!.headers["webhook-id"], "the same delivery, sent again");
    await eventually(async () => assert.match(await started.textContent() ?? "", /delivered.*200/), { timeoutMs: 15_000 });

    // A bot's AI model, in a form drawn from the schema.
    await page.goto(`${node.url}/console/bots/${botId}`);
    await page.getByRole("link", { name: "Settings", exact: true }).last().click();
    await page.getByRole("heading", { level: 1, name: "Greeter · Settings" }).waitFor();
    const aiForm = page.getByRole("form", { name: "AI settings" });
    await aiForm.getByLabel("Provider").selectOption("openai");
    await aiForm.getByLabel("Model", { exact: true }).fill("gpt-4o-mini");
    await aiForm.getByRole("button", { name: "Save AI settings" }).click();
    await page.getByText("AI settings saved.").waitFor();
    const saved = await node.request("GET", `/v1/admin/bots/${botId}`, { key: acme.keys.admin });
    assert.deepEqual(saved.body.config.ai, { provider: "openai", model: "gpt-4o-mini" });
    await assertAccessible(page, "a bot's AI settings");
    await page.screenshot({ path: `${SHOTS}/bot-ai-settings.png`, fullPage: true });

    // Usage against the tenant's quotas.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await section(page, "Usage").click();
    const usage = (await node.request("GET", "/v1/admin/usage", { key: acme.keys.admin })).body;
    const tokens = page.getByText(/^AI tokens: /);
    await tokens.waitFor();
    assert.equal(await tokens.textContent(), `AI tokens: 0 of ${usage.quota.toLocaleString("en")} (0%)`);
    assert.ok(usage.limits.messagesPerMonth.used >= 1, JSON.stringify(usage.limits));
    assert.match(await page.getByText(/^Messages from your users: /).textContent() ?? "", new RegExp(`^Messages from your users: ${usage.limits.messagesPerMonth.used} of ${usage.limits.messagesPerMonth.quota.toLocaleString("en")}`));
    await page.getByRole("definition").filter({ hasText: "90 days" }).waitFor();
    await assertAccessible(page, "usage");
    await page.screenshot({ path: `${SHOTS}/usage.png`, fullPage: true });

    // The audit log: every change above, by who made it.
    await section(page, "Audit log").click();
    const log = page.getByRole("region", { name: "Audit log entries" });
    const byOwner = (what: string) => log.getByRole("row").filter({ hasText: OWNER.email }).filter({ hasText: what });
    for (const what of ["created key", "deleted key", "created invite", "changed member", "set secret", "set crm", "created webhook", "redeliver", "changed bot"]) {
      await eventually(async () => assert.ok(await byOwner(what).count() > 0, `the log shows the owner ${what}`));
    }
    assert.equal(await byOwner("set secret").count(), 2, "the secret was set, then rotated");
    assert.match(await log.getByRole("row").filter({ hasText: "CI deploys" }).filter({ hasText: "created bot" }).textContent() ?? "", /API key · editor/, "the key's change is under its label, with its role");
    const filter = page.getByRole("form", { name: "Filter the audit log" });
    await filter.getByLabel("Who").fill("CI deploys");
    await filter.getByRole("button", { name: "Filter" }).click();
    await eventually(async () => assert.equal(await log.getByRole("row").count(), 2, "the header and the key's one change"));
    await assertAccessible(page, "the audit log");
    await page.screenshot({ path: `${SHOTS}/audit-log.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px and works by keyboard: an owner adds a secret without a mouse", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithPassword(page, node.url, OWNER.email, OWNER.password);
    for (const [path, title] of [["keys", "API keys"], ["members", "Members"], ["webhooks", "Webhooks"], ["secrets", "Secrets"], ["crm", "CRM"], ["usage", "Usage"], ["audit", "Audit log"]] as const) {
      await page.goto(`${node.url}/console/settings/${path}`);
      await page.getByRole("heading", { level: 1, name: `Settings · ${title}` }).waitFor();
      await page.getByRole("heading", { level: 2 }).first().waitFor();
      await assertNoSidewaysScroll(page, `settings · ${title}`);
      await assertAccessible(page, `settings · ${title} at 375 px`);
    }
    await page.screenshot({ path: `${SHOTS}/audit-375.png`, fullPage: true });
    await page.goto(`${node.url}/console/settings/secrets`);
    await page.getByRole("heading", { level: 1, name: "Settings · Secrets" }).waitFor();
    const name = page.getByRole("form", { name: "Add a secret" }).getByLabel("Name");
    for (let i = 0; i < 30 && !(await name.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    assert.ok(await name.evaluate((el) => el === document.activeElement), "Tab reaches the secret's name");
    await page.keyboard.type("keyboard_token");
    await page.keyboard.press("Tab");
    await page.keyboard.type("typed-by-keyboard");
    await page.keyboard.press("Enter");
    await page.getByText("Saved “keyboard_token”.").waitFor();
    await page.getByRole("region", { name: "Secrets" }).getByRole("row").filter({ hasText: "keyboard_token" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/secrets-375.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("shows a viewer settings read-only, and the API refuses their change", async () => {
    const owner = apiBrowser(node);
    await owner.request("POST", "/v1/auth/sessions", { body: OWNER });
    const viewer: ApiBrowser = await memberWithRole(node, owner, "vera@acme.test", "viewer", "vera's long password");
    const { page, problems, close } = await openPage(browser);
    await signInWithPassword(page, node.url, "vera@acme.test", "vera's long password");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { level: 1, name: "Settings · Usage" }).waitFor();
    const shown = await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link").allTextContents();
    assert.deepEqual(shown, ["Usage", "Audit log"]);
    await page.getByText("You are signed in as viewer").waitFor();
    await section(page, "Audit log").click();
    await page.getByRole("region", { name: "Audit log entries" }).getByRole("row").filter({ hasText: OWNER.email }).first().waitFor();
    await page.goto(`${node.url}/console/settings/keys`);
    await page.getByText("The viewer role cannot open API keys.").waitFor();
    assert.equal(await page.getByRole("form", { name: "Create an API key" }).count(), 0);
    await assertAccessible(page, "settings for a viewer");
    await page.screenshot({ path: `${SHOTS}/viewer.png`, fullPage: true });
    for (const [method, path, body] of [
      ["PUT", "/v1/admin/secrets/sneaky", { value: "x" }],
      ["POST", `/v1/admin/tenants/${acme.id}/keys`, { kind: "admin", role: "viewer", label: "mine", rotate: false }],
      ["POST", "/v1/admin/webhooks", { url: `${receiver.base}/x`, events: ["*"] }],
      ["POST", "/v1/admin/invites", { email: "x@acme.test", role: "viewer" }],
      ["PATCH", `/v1/admin/bots/${botId}`, { config: { ai: { model: "nope" } } }],
    ] as const) {
      const refused = await viewer.request(method, path, { body });
      assert.deepEqual([refused.status, refused.body?.error?.code], [403, "ROLE_FORBIDDEN"], `${method} ${path}`);
    }
    assert.deepEqual(problems, []);
    await close();
  });
});
