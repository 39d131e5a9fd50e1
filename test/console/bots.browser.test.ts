/**
 * A tenant admin signs in to the console with an API key and manages bots: creates one from a
 * template, renames it, duplicates it and deletes the copy after confirming; at 1280 px and
 * 375 px, by keyboard too, with axe-core finding no serious or critical violation.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, createTenant, ensureConsoleBuilt, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

describe("console: signing in and managing bots", function () {
  this.timeout(240_000);
  let node: TestPlatform;
  let browser: Browser;
  let acme: Tenant;

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"] });
    acme = await createTenant(node, "Acme");
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  it("refuses a wrong key, signs in with the right one, and forgets it on sign-out", async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${node.url}/console/`);
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    assert.equal(await page.getByLabel("Email", { exact: true }).isVisible(), true, "people sign in with email and password");
    await assertAccessible(page, "the sign-in page");

    await page.getByRole("button", { name: "Sign in with an API key" }).click();
    await page.getByLabel("Tenant admin key").fill("sk_not_a_real_key_at_all");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    assert.match(await page.getByRole("alert").textContent() ?? "", /not valid/);
    await page.getByLabel("Tenant admin key").fill(acme.keys.widget);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "tenant admin key" }).waitFor();

    await page.getByLabel("Tenant admin key").fill(acme.keys.admin);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();
    assert.equal(await page.evaluate(() => Object.values(localStorage).some((v) => v.startsWith("sk_"))), false, "the key is never kept beyond the tab");
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    assert.equal(await page.evaluate(() => JSON.stringify(sessionStorage)), "{}", "signing out forgets the key");
    assert.deepEqual(problems, []);
    await close();
  });

  it("creates a bot from a template, renames it, duplicates it and deletes the copy after confirming", async () => {
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.getByText("No bots yet").waitFor();
    await assertAccessible(page, "the empty bots page");

    await page.getByRole("button", { name: "New bot" }).click();
    const dialog = page.getByRole("dialog", { name: "New bot" });
    await dialog.getByLabel("Name", { exact: true }).fill("Front desk");
    await dialog.getByLabel(/Lead capture/).check();
    await assertAccessible(page, "the new bot dialog");
    await dialog.getByRole("button", { name: "Create bot" }).click();
    await page.getByRole("heading", { level: 1, name: "Front desk" }).waitFor();
    await page.locator(".react-flow__node").first().waitFor();
    assert.equal(await page.locator(".react-flow__node").count(), 5, "the template's five nodes are on the canvas");

    await page.getByRole("link", { name: "Bots" }).click();
    const row = page.locator(".bot-row", { hasText: "Front desk" });
    await row.waitFor();
    assert.match(await row.textContent() ?? "", /Published.*version 1.*changed/);

    await page.getByRole("button", { name: "Rename Front desk" }).click();
    const rename = page.getByRole("dialog");
    await rename.getByLabel("New name").fill("Reception");
    await rename.getByLabel("New name").press("Enter");
    await page.getByRole("link", { name: "Reception" }).waitFor();

    await page.getByRole("button", { name: "Duplicate Reception" }).click();
    await page.getByRole("link", { name: "Reception (copy)" }).waitFor();
    const listed = await node.request("GET", "/v1/admin/bots", { key: acme.keys.admin });
    assert.deepEqual(listed.body.bots.map((b: { name: string }) => b.name), ["Reception", "Reception (copy)"]);

    await page.getByRole("button", { name: "Delete Reception (copy)" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete Reception (copy)?" });
    await confirm.getByRole("button", { name: "Keep it" }).click();
    assert.equal(await page.getByRole("link", { name: "Reception (copy)" }).count(), 1, "keeping it keeps it");
    await page.getByRole("button", { name: "Delete Reception (copy)" }).click();
    await assertAccessible(page, "the delete confirmation");
    await confirm.getByRole("button", { name: "Delete bot" }).click();
    await page.getByRole("status").filter({ hasText: "Deleted “Reception (copy)”." }).waitFor();
    // The list is read again after the delete; on a busy machine it may trail the message by a moment.
    await page.getByRole("link", { name: "Reception (copy)" }).waitFor({ state: "detached" });
    await assertAccessible(page, "the bots page");
    await page.screenshot({ path: "/tmp/console-bots-1280.png" });
    assert.deepEqual(problems, []);
    await close();
  });

  it("works at 375 px and by keyboard alone: sign in, open the new bot dialog, create, come back", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await page.goto(`${node.url}/console/`);
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await assertNoSidewaysScroll(page, "the sign-in page");
    // Keyboard only from here.
    await page.getByLabel("Email", { exact: true }).focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByLabel("Tenant admin key").waitFor();
    await page.keyboard.type(acme.keys.admin);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();
    await assertNoSidewaysScroll(page, "the bots page");
    await assertAccessible(page, "the bots page at 375 px");
    for (let i = 0; i < 12 && !(await page.evaluate(() => document.activeElement?.textContent === "New bot")); i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "New bot" }).waitFor();
    await page.keyboard.type("Pocket bot");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Pocket bot" }).waitFor();
    await page.locator(".react-flow__node").first().waitFor();
    await assertNoSidewaysScroll(page, "the flow editor");
    await page.screenshot({ path: "/tmp/console-editor-375.png", fullPage: true });
    await page.goBack();
    await page.getByRole("link", { name: "Pocket bot" }).waitFor();
    await page.screenshot({ path: "/tmp/console-bots-375.png", fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });
});
