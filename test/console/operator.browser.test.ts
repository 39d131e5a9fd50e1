/**
 * The operator signs in with the operator key and sees the tenants (plan, bots, usage this month,
 * created), creates one and is shown its keys once, then reads the cluster's nodes and the plugins
 * each runs. A tenant's owner is refused the operator's API (403) and has no such pages.
 * axe-core on each page; 375 px; the dialog by keyboard.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, createTenant, ensureConsoleBuilt, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

async function signInAsOperator(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByRole("button", { name: "Sign in with an API key" }).click();
  await page.getByLabel("Tenant admin key").fill(key);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Tenants" }).waitFor();
}

describe("console: the operator's tenants and nodes", function () {
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
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"] });
    acme = await createTenant(node, "Acme");
    await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Support", flow: { start: "done", nodes: [{ id: "done", type: "end", content: {} }] } } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  it("signs in with the operator key, reads the tenants, creates one and reads the nodes", async () => {
    const { page, problems, close } = await openPage(browser, 1280, 860);
    await signInAsOperator(page, node.url, node.operatorKey);
    const table = page.getByRole("table");
    const acmeRow = table.getByRole("row", { name: /Acme/ });
    await acmeRow.waitFor();
    assert.deepEqual(await table.getByRole("columnheader").allTextContents(), ["Name", "Plan", "Bots", "Messages this month", "AI tokens this month", "Created"]);
    const cells = await acmeRow.getByRole("cell").allTextContents();
    assert.equal(cells[0], "free");
    assert.equal(cells[1], "1", "Acme has one bot");
    assert.equal(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Bots" }).count(), 0, "the operator has no tenant's pages");
    await assertAccessible(page, "the operator's tenants");

    // A new tenant, by keyboard in the dialog: its keys are shown once, then it is in the list.
    await page.getByRole("button", { name: "New tenant" }).click();
    const dialog = page.getByRole("dialog", { name: "New tenant" });
    await page.keyboard.type("Globex");
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowDown");
    assert.equal(await dialog.getByLabel("Plan").inputValue(), "paid");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await dialog.getByRole("button", { name: "Create tenant" }).evaluate((b) => b === document.activeElement), true);
    await page.keyboard.press("Enter");
    const keys = page.getByRole("region", { name: "Keys of Globex" });
    await keys.waitFor();
    const ownerKey = await keys.getByLabel("Owner's secret key").inputValue();
    assert.match(ownerKey, /^sk_/);
    const globexRow = table.getByRole("row", { name: /Globex/ });
    await globexRow.waitFor();
    assert.deepEqual((await globexRow.getByRole("cell").allTextContents()).slice(0, 4), ["paid", "0", "0", "0"]);
    await assertAccessible(page, "the tenants with a new tenant's keys");
    await page.screenshot({ path: "/tmp/console-operator-tenants-1280.png" });
    await keys.getByRole("button", { name: "I have passed them on" }).click();
    // The new owner's key works for the tenant.
    assert.equal((await node.request("GET", "/v1/admin/bots", { key: ownerKey })).status, 200);

    await page.getByRole("link", { name: "Nodes" }).click();
    await page.getByRole("heading", { level: 1, name: "Nodes" }).waitFor();
    const card = page.getByRole("listitem").filter({ hasText: "(this node)" });
    await card.getByText("available").waitFor();
    assert.match((await card.textContent()) ?? "", /plugin\.platform\.whatsapp-channel/);
    await assertAccessible(page, "the operator's nodes");
    await page.screenshot({ path: "/tmp/console-operator-nodes-1280.png" });
    assert.deepEqual(problems, []);
    await close();
  });

  it("fits 375 px", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInAsOperator(page, node.url, node.operatorKey);
    await page.getByRole("row", { name: /Acme/ }).waitFor();
    await assertNoSidewaysScroll(page, "the tenants at 375 px");
    await assertAccessible(page, "the tenants at 375 px");
    await page.screenshot({ path: "/tmp/console-operator-tenants-375.png", fullPage: true });
    await page.getByRole("link", { name: "Nodes" }).click();
    await page.getByRole("heading", { level: 1, name: "Nodes" }).waitFor();
    await page.getByText("available").first().waitFor();
    await assertNoSidewaysScroll(page, "the nodes at 375 px");
    await page.screenshot({ path: "/tmp/console-operator-nodes-375.png", fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("refuses a tenant's owner the operator's API, and shows them no operator page", async () => {
    for (const path of ["/v1/operator/tenants", "/v1/operator/nodes", "/v1/admin/tenants"]) {
      const refused = await node.request("GET", path, { key: acme.keys.admin });
      assert.equal(refused.status, 403, `${path}: ${refused.text}`);
    }
    const { page, close } = await openPage(browser, 1280, 860);
    await signInWithKey(page, node.url, acme.keys.admin);
    assert.equal(await page.getByRole("link", { name: "Tenants" }).count(), 0);
    await page.goto(`${node.url}/console/operator/tenants`);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    await close();
  });
});
