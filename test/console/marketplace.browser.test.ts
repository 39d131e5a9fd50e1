/**
 * An admin finds a plugin in the marketplace, reads its page (README, who signed it, what it may
 * do in plain words), installs it after consenting to every capability, sets it up (its secret is
 * never shown again), uses its node type in a flow (the palette has it, its form comes from its
 * schema), publishes, and a conversation runs it against the shop's API; then updates it (consent
 * again: the new version asks for more), rolls back, disables and uninstalls it. An editor sees
 * the catalog, and the API refuses their install. axe-core, 375 px and the keyboard throughout.
 *
 * The plugin is published as an integrator does: `bp-plugin pack` of a definePlugin folder
 * (fixtures/order-status), signed with the publisher's Ed25519 key.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { packPlugin } from "../../marketplace/package/plugin-build.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { createIntegrator, type Integrator } from "../marketplace/marketplace-kit.ts";
import { memberWithRole, tenantWithOwner } from "../people/people-kit.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, ensureConsoleBuilt, eventually, launchChromium, openPage } from "./console-kit.ts";

const PLUGIN = "@acme/order-status";
const fixture = join(import.meta.dirname, "fixtures/order-status");
const SHOP_TOKEN = "shop-token-7f3a9c";
const PASSWORD = "a long enough password";
const shots = "/tmp/shots-marketplace";

/** Version 1.1.0 of the fixture, from a copy that also asks for `crypto` (an update that needs consent again). */
async function packNextVersion(): Promise<Buffer> {
  const folder = mkdtempSync(join(tmpdir(), "bp-order-status-"));
  try {
    cpSync(fixture, folder, { recursive: true });
    const sdk = join(import.meta.dirname, "../../core/sdk/index.ts");
    const source = readFileSync(join(folder, "plugin.ts"), "utf8")
      .replace("../../../../core/sdk/index.ts", sdk)
      .replace('version: "1.0.0"', 'version: "1.1.0"')
      .replace('capabilities: ["http:127.0.0.1", "secrets:shop_token", "kv"]', 'capabilities: ["http:127.0.0.1", "secrets:shop_token", "kv", "crypto"]');
    writeFileSync(join(folder, "plugin.ts"), source);
    writeFileSync(join(folder, "CHANGELOG.md"), `## 1.1.0\n\n- Signs its requests (asks for crypto).\n\n${readFileSync(join(fixture, "CHANGELOG.md"), "utf8")}`);
    return (await packPlugin(folder)).bytes;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Presses Tab (a few times at most) until `target` has the focus, as a keyboard user gets there. */
async function tabTo(page: Page, target: Locator, what: string): Promise<void> {
  const focused = () => target.evaluate((element) => element === document.activeElement);
  for (let tabs = 0; tabs < 6 && !(await focused()); tabs++) await page.keyboard.press("Tab");
  assert.equal(await focused(), true, `${what} is reached with Tab`);
}

async function signIn(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();
}

describe("console: the marketplace, from the catalog to a flow and back", function () {
  this.timeout(300_000);
  let node: TestPlatform;
  let browser: Browser;
  let integrator: Integrator;
  let acme: Awaited<ReturnType<typeof tenantWithOwner>>;
  let shop: Server;
  let shopUrl: string;
  const shopCalls: IncomingHttpHeaders[] = [];

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    mkdirSync(shots, { recursive: true });
    // The shop's order API: it knows order A-42, and only with the token the admin gives at install.
    shop = createServer((req, res) => {
      shopCalls.push(req.headers);
      if (req.headers.authorization !== `Bearer ${SHOP_TOKEN}`) return void res.writeHead(401).end();
      if (req.url !== "/api/orders/A-42") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "shipped", eta: "Friday" }));
    });
    await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/api`;
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { MARKETPLACE_EXAMPLES: "true", ALLOW_PRIVATE_NETWORKS: "true" } });
    acme = await tenantWithOwner(node, "Acme", "owner@acme.test");
    await memberWithRole(node, acme.owner, "admin@acme.test", "admin", PASSWORD);
    await memberWithRole(node, acme.owner, "editor@acme.test", "editor", PASSWORD);
    integrator = await createIntegrator(node, "Acme Labs");
    const published = await integrator.publish((await packPlugin(fixture)).bytes);
    assert.equal(published.status, 201, published.text);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
    shop?.close();
  });

  const installs = async () => (await node.request("GET", "/v1/admin/plugins", { key: acme.keys.admin })).body.installed as { plugin: string; version: string; enabled: boolean; grants: string[]; config: Record<string, unknown>; secrets: string[] }[];
  const chat = async (botId: string) => {
    const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId } });
    assert.equal(started.status, 201, started.text);
    return (started.body.messages as { text: string }[]).map((m) => m.text).join(" | ");
  };

  it("installs a plugin with consent, sets it up, runs its node type in a published flow, then updates, rolls back, disables and uninstalls it", async () => {
    const { page, problems, close } = await openPage(browser, 1280, 900);
    await signIn(page, node.url, "admin@acme.test");

    // The catalog: cards with publisher, kinds, latest version; search narrows it.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Marketplace" }).click();
    await page.getByRole("heading", { level: 1, name: "Marketplace" }).waitFor();
    const cards = page.getByRole("list", { name: "Plugins", exact: true });
    const card = cards.getByRole("listitem").filter({ has: page.getByRole("link", { name: PLUGIN }) });
    await card.waitFor();
    assert.match(await card.textContent() ?? "", /by Acme Labs · v1\.0\.0.*Tells customers where their order is.*node-type/);
    assert.ok(await cards.getByRole("link", { name: "@platform/pricing" }).count() === 1, "the first-party examples are in the catalog too");
    await assertAccessible(page, "the catalog");
    await page.screenshot({ path: `${shots}/catalog-1280.png`, fullPage: true });
    await page.getByRole("searchbox", { name: "Search" }).fill("order");
    await eventually(async () => assert.deepEqual(await cards.getByRole("heading").allTextContents(), [PLUGIN]));
    await page.getByRole("searchbox", { name: "Search" }).fill("");
    await page.getByLabel("Kind").selectOption("crm");
    await eventually(async () => assert.deepEqual(await cards.getByRole("heading").allTextContents(), ["@platform/rest-crm"]));
    await page.getByLabel("Kind").selectOption("node-type");
    await cards.getByRole("link", { name: PLUGIN }).waitFor();

    // Its page: the README rendered, nothing of its raw HTML run; signature; capabilities in plain words.
    await cards.getByRole("link", { name: PLUGIN }).click();
    await page.getByRole("heading", { level: 1, name: PLUGIN }).waitFor();
    const readme = page.locator(".markdown").first();
    await readme.getByRole("heading", { name: "Order status" }).waitFor();
    assert.equal(await readme.getByRole("table").count(), 1, "the README's table is drawn");
    assert.equal(await readme.getByRole("link", { name: "the order API's guide" }).getAttribute("href"), "https://shop.example.com/docs");
    assert.equal(await readme.getByRole("link", { name: "nothing else" }).count(), 0, "a javascript: link is left as text");
    await readme.getByText("nothing else").waitFor();
    assert.equal(await readme.locator("img, script").count(), 0, "raw HTML in a README is dropped");
    assert.equal(await page.evaluate(() => (window as unknown as { __readmeRan?: boolean }).__readmeRan), undefined);
    assert.match(await page.locator(".facts").textContent() ?? "", /Signature\s*Verified\s*signed by Acme Labs/);
    const permissions = page.getByRole("list", { name: "Permissions" });
    assert.deepEqual(await permissions.locator("li > span:first-child").allTextContents(), [
      "Send HTTP requests to 127.0.0.1", "Read the secret shop_token", "Store its own data (removed when you uninstall it)",
    ]);
    assert.match(await page.getByRole("table", { name: "Versions" }).textContent() ?? "", /1\.0\.0.*3 permissions.*latest/);
    await assertAccessible(page, "a plugin's page");
    await page.screenshot({ path: `${shots}/plugin-1280.png`, fullPage: true });

    // Install: nothing happens before consenting to every capability.
    await page.getByRole("button", { name: "Install" }).click();
    const dialog = page.getByRole("dialog", { name: `Install ${PLUGIN}` });
    await dialog.waitFor();
    assert.deepEqual(await dialog.getByRole("list", { name: `What ${PLUGIN} may do` }).locator("li > span:first-child").allTextContents(), [
      "Send HTTP requests to 127.0.0.1", "Read the secret shop_token", "Store its own data (removed when you uninstall it)",
    ]);
    const proceed = dialog.getByRole("button", { name: "Continue" });
    assert.equal(await proceed.isDisabled(), true, "no install without consent");
    await assertAccessible(page, "the consent dialog");
    await page.screenshot({ path: `${shots}/consent-1280.png` });
    await dialog.getByLabel(`I allow ${PLUGIN} to do all of this`).check();
    await proceed.click();
    // Its settings, from its config schema; the secret is a password field.
    await dialog.getByRole("form", { name: "Settings" }).waitFor();
    await dialog.getByLabel(/^Shop name/).fill("Acme Shop");
    await dialog.getByLabel(/^Api url/).fill(shopUrl);
    await dialog.getByLabel("Show eta").check();
    const secretInput = dialog.getByLabel("shop_token");
    assert.equal(await secretInput.getAttribute("type"), "password");
    await secretInput.fill(SHOP_TOKEN);
    await assertAccessible(page, "the install dialog's settings");
    await dialog.getByRole("button", { name: "Install" }).click();
    await page.getByRole("status").filter({ hasText: `Installed ${PLUGIN} 1.0.0.` }).waitFor();
    const [installed] = await installs();
    assert.deepEqual([installed!.version, installed!.grants, installed!.config, installed!.secrets], ["1.0.0", ["http:127.0.0.1", "secrets:shop_token", "kv"], { shop_name: "Acme Shop", api_url: shopUrl, show_eta: true }, ["shop_token"]]);

    // Reloaded: the secret is "Set", its value is nowhere on the page; the configuration is editable.
    await page.reload();
    const settings = page.getByRole("form", { name: "Settings" });
    await settings.waitFor();
    const secret = settings.getByRole("group", { name: "shop_token" });
    assert.match(await secret.textContent() ?? "", /Set/);
    await secret.getByRole("button", { name: "Replace shop_token" }).waitFor();
    assert.equal(await settings.locator('input[type="password"]').count(), 0, "no field holds the secret");
    assert.ok(!(await page.content()).includes(SHOP_TOKEN), "the secret's value is nowhere in the page");
    assert.deepEqual((await settings.locator("label").allTextContents()).map((t) => t.replace(" *", "")), ["Shop name", "Api url", "Show eta"], "the fields in the order the integrator wrote them");
    assert.equal(await settings.getByLabel(/^Shop name/).inputValue(), "Acme Shop");
    await settings.getByLabel(/^Shop name/).fill("Acme Store");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings.getByRole("status").filter({ hasText: "Settings saved." }).waitFor();
    assert.equal((await installs())[0]!.config.shop_name, "Acme Store");
    await page.screenshot({ path: `${shots}/installed-1280.png`, fullPage: true });

    // Its node type in a flow: in the palette, with a form drawn from its schema.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Bots" }).click();
    await page.getByRole("button", { name: "New bot" }).click();
    await page.getByRole("dialog").getByLabel("Name", { exact: true }).fill("Orders");
    await page.getByRole("dialog").getByRole("button", { name: "Create bot" }).click();
    await page.getByRole("heading", { level: 1, name: "Orders" }).waitFor();
    const botId = new URL(page.url()).pathname.split("/").at(-1)!;
    const palette = page.getByRole("navigation", { name: "Add a node" });
    await palette.getByRole("button", { name: "Add order-status node" }).click();
    const panel = page.getByRole("tabpanel", { name: "Node" });
    await panel.getByRole("heading", { name: /order-status_1/ }).waitFor();
    await panel.getByLabel(/^Order id/).fill("A-42");
    assert.equal(await panel.getByLabel(/^Output/).count(), 1, "every field of the content schema has its input");
    assert.deepEqual(await page.locator('.react-flow__node[data-id="order-status_1"] .out-label').allTextContents(), ["default", "not_found"]);
    await page.locator('.react-flow__node[data-id="welcome"]').click();
    await panel.getByLabel("default", { exact: true }).selectOption("order-status_1");
    await eventually(async () => {
      const draft = (await node.request("GET", `/v1/admin/bots/${botId}`, { key: acme.keys.admin })).body.draftFlow as { nodes: { id: string; content: { order_id?: string }; connections?: Record<string, string> }[] };
      assert.deepEqual(draft.nodes.map((n) => [n.id, n.connections?.default ?? null, n.content.order_id ?? null]), [["welcome", "order-status_1", null], ["order-status_1", null, "A-42"]]);
    }, { timeoutMs: 15_000 });
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${shots}/flow-1280.png` });
    await page.getByRole("button", { name: "Publish" }).click();
    await page.getByRole("status").filter({ hasText: "Published version 2." }).waitFor();
    // A conversation with the published bot runs the plugin, which reaches the shop with the secret filled in.
    assert.match(await chat(botId), /Acme Store: order A-42 is shipped, arriving Friday \(order-status 1\.0\.0\)/);
    assert.equal(shopCalls.at(-1)?.authorization, `Bearer ${SHOP_TOKEN}`);

    // Update: 1.1.0 asks for one more capability, so the admin consents again, the new one marked.
    assert.equal((await integrator.publish(await packNextVersion())).status, 201);
    await page.goto(`${node.url}/console/marketplace`);
    await page.getByRole("list", { name: "Installed plugins" }).getByRole("link", { name: PLUGIN }).click();
    await page.getByRole("button", { name: "Update to 1.1.0" }).click();
    const update = page.getByRole("dialog", { name: "Update to 1.1.0" });
    const asked = update.getByRole("list", { name: `What ${PLUGIN} 1.1.0 may do` });
    await asked.waitFor();
    assert.match(await asked.locator("li").filter({ hasText: "new" }).textContent() ?? "", /Compute hashes, HMAC signatures and random values/);
    assert.equal(await asked.locator("li").filter({ hasText: "new" }).count(), 1, "only what it newly asks for is marked");
    assert.equal(await update.getByRole("button", { name: "Update to 1.1.0" }).isDisabled(), true);
    await assertAccessible(page, "the update's consent");
    await page.screenshot({ path: `${shots}/update-consent-1280.png` });
    await update.getByLabel(`I allow ${PLUGIN} 1.1.0 to do all of this`).check();
    await update.getByRole("button", { name: "Update to 1.1.0" }).click();
    await page.getByRole("status").filter({ hasText: `${PLUGIN} is now at version 1.1.0.` }).waitFor();
    assert.deepEqual((await installs())[0]!.grants, ["http:127.0.0.1", "secrets:shop_token", "kv", "crypto"]);
    assert.match(await chat(botId), /\(order-status 1\.1\.0\)/);

    // Roll back: 1.0.0 asks for less, so a plain confirmation.
    await page.getByRole("button", { name: "Roll back to 1.0.0" }).click();
    const rollback = page.getByRole("dialog", { name: "Roll back to 1.0.0" });
    await rollback.getByText("its settings carry over").waitFor();
    await rollback.getByRole("button", { name: "Roll back to 1.0.0" }).click();
    await page.getByRole("status").filter({ hasText: `${PLUGIN} is now at version 1.0.0.` }).waitFor();
    assert.match(await chat(botId), /\(order-status 1\.0\.0\)/);

    // Disable: its step no longer runs; the end user gets the polite failure.
    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("status").filter({ hasText: "is disabled" }).waitFor();
    await page.getByRole("button", { name: "Enable" }).waitFor();
    const disabled = await chat(botId);
    assert.ok(!disabled.includes("order A-42"), disabled);
    assert.match(disabled, /sorry/i);

    // Uninstall, after confirming.
    await page.getByRole("button", { name: "Uninstall" }).click();
    const confirm = page.getByRole("dialog", { name: `Uninstall ${PLUGIN}?` });
    await confirm.waitFor();
    await assertAccessible(page, "the uninstall confirmation");
    await confirm.getByRole("button", { name: "Uninstall" }).click();
    await page.getByRole("status").filter({ hasText: `Uninstalled ${PLUGIN}.` }).waitFor();
    await page.getByRole("button", { name: "Install" }).waitFor();
    assert.deepEqual(await installs(), []);
    assert.deepEqual(problems, []);
    await close();
  });

  it("lets an editor browse the catalog, while the API refuses their install (403)", async () => {
    const { page, problems, close } = await openPage(browser, 1280, 900);
    await signIn(page, node.url, "editor@acme.test");
    await page.goto(`${node.url}/console/marketplace/${PLUGIN}`);
    await page.getByRole("heading", { level: 1, name: PLUGIN }).waitFor();
    await page.getByRole("list", { name: "Permissions" }).waitFor();
    await page.getByText("Installing and managing plugins needs the admin role").waitFor();
    assert.equal(await page.getByRole("button", { name: "Install" }).count(), 0, "the console offers an editor no install");
    await assertAccessible(page, "a plugin's page for an editor");
    await page.screenshot({ path: `${shots}/plugin-editor-1280.png` });
    // Asked anyway, with the editor's own session, the API refuses.
    const refused = await page.evaluate(async (plugin) => {
      const session = await (await fetch("/v1/auth/session")).json() as { csrfToken: string };
      const answer = await fetch("/v1/admin/plugins", {
        method: "POST", headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken },
        body: JSON.stringify({ plugin, grants: ["http:127.0.0.1", "secrets:shop_token", "kv", "crypto"] }),
      });
      return { status: answer.status, body: await answer.json() as { error: { code: string } } };
    }, PLUGIN);
    assert.deepEqual([refused.status, refused.body.error.code], [403, "ROLE_FORBIDDEN"]);
    assert.deepEqual(await installs(), []);
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px and works by keyboard: search, open, consent and install, uninstall", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signIn(page, node.url, "admin@acme.test");
    await page.goto(`${node.url}/console/marketplace`);
    await page.getByRole("list", { name: "Plugins", exact: true }).waitFor();
    await assertNoSidewaysScroll(page, "the catalog");
    await assertAccessible(page, "the catalog at 375 px");
    await page.screenshot({ path: `${shots}/catalog-375.png`, fullPage: true });

    const search = page.getByRole("searchbox", { name: "Search" });
    await search.focus();
    await page.keyboard.type("order");
    const link = page.getByRole("list", { name: "Plugins", exact: true }).getByRole("link", { name: PLUGIN });
    await eventually(async () => assert.equal(await page.getByRole("list", { name: "Plugins", exact: true }).getByRole("link").count(), 1));
    // Tab from the search box to the only card's link (past the kind filter), then Enter.
    await tabTo(page, link, "the card");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: PLUGIN }).waitFor();
    await assertNoSidewaysScroll(page, "a plugin's page");
    await assertAccessible(page, "a plugin's page at 375 px");
    await page.screenshot({ path: `${shots}/plugin-375.png`, fullPage: true });

    // The latest version (1.1.0) asks for four things; consent and settings by keyboard alone.
    await page.getByRole("button", { name: "Install" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: `Install ${PLUGIN}` });
    const consent = dialog.getByLabel(`I allow ${PLUGIN} to do all of this`);
    await consent.waitFor();
    await tabTo(page, consent, "the consent box");
    await page.keyboard.press("Space");
    await tabTo(page, dialog.getByRole("button", { name: "Continue" }), "Continue");
    await page.keyboard.press("Enter");
    await dialog.getByRole("form", { name: "Settings" }).waitFor();
    await assertNoSidewaysScroll(page, "the install dialog");
    await page.screenshot({ path: `${shots}/install-settings-375.png` });
    // The fields come in the order the integrator wrote them.
    await dialog.getByLabel(/^Shop name/).focus();
    await page.keyboard.type("Acme Shop");
    await tabTo(page, dialog.getByLabel(/^Api url/), "the next field");
    await page.keyboard.type(shopUrl);
    await dialog.getByLabel("shop_token").focus();
    await page.keyboard.type(SHOP_TOKEN);
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: `Installed ${PLUGIN} 1.1.0.` }).waitFor();
    assert.deepEqual((await installs())[0]!.grants, ["http:127.0.0.1", "secrets:shop_token", "kv", "crypto"]);
    await page.getByRole("form", { name: "Settings" }).waitFor();
    await assertNoSidewaysScroll(page, "an installed plugin's page");
    await page.screenshot({ path: `${shots}/installed-375.png`, fullPage: true });

    await page.getByRole("button", { name: "Uninstall" }).focus();
    await page.keyboard.press("Enter");
    const confirm = page.getByRole("dialog", { name: `Uninstall ${PLUGIN}?` }).getByRole("button", { name: "Uninstall" });
    await confirm.waitFor();
    await tabTo(page, confirm, "the confirmation");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: `Uninstalled ${PLUGIN}.` }).waitFor();
    assert.deepEqual(await installs(), []);
    assert.deepEqual(problems, []);
    await close();
  });
});
