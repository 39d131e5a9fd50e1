import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { memberWithRole, tenantWithOwner } from "../people/people-kit.ts";
import { assertAccessible, chromiumMissing, ensureConsoleBuilt, launchChromium, openPage } from "./console-kit.ts";

const PASSWORD = "sam's long enough password";

/**
 * A person who belongs to two tenants signs in once and picks the tenant the console acts in; each
 * tenant's bots show only in that tenant, and the role shown is theirs in it.
 */
describe("console: a person in several tenants picks one", function () {
  this.timeout(240_000);
  let node: TestPlatform;
  let browser: Browser;

  before(async function () {
    if (chromiumMissing()) {
      console.warn("    skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
      this.skip();
    }
    ensureConsoleBuilt();
    node = await startTestPlatform({ pluginFolders: ["plugins"] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  it("switches between the tenants; each shows its own bots and nothing of the other", async () => {
    const acme = await tenantWithOwner(node, "Acme", "owner@acme.test");
    const globex = await tenantWithOwner(node, "Globex", "owner@globex.test");
    await memberWithRole(node, acme.owner, "sam@both.test", "editor", PASSWORD);
    await memberWithRole(node, globex.owner, "sam@both.test", "viewer", PASSWORD);
    for (const [tenant, name] of [[acme, "Acme reception"], [globex, "Globex helpdesk"]] as const) {
      const created = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name, flow: { start: "end", nodes: [{ id: "end", type: "end", content: {} }] } } });
      assert.equal(created.status, 201, created.text);
    }

    const { page, problems, close } = await openPage(browser);
    await page.goto(`${node.url}/console/`);
    await page.getByRole("textbox", { name: "Email" }).fill("sam@both.test");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();

    const picker = page.getByRole("combobox", { name: "Tenant" });
    const first = await picker.inputValue();
    const [shown, hidden] = first === acme.id ? ["Acme reception", "Globex helpdesk"] : ["Globex helpdesk", "Acme reception"];
    await page.getByRole("link", { name: shown }).waitFor();
    assert.equal(await page.getByRole("link", { name: hidden }).count(), 0);

    const other = first === acme.id ? globex.id : acme.id;
    await picker.selectOption(other);
    await page.getByRole("link", { name: hidden }).waitFor();
    assert.equal(await page.getByRole("link", { name: shown }).count(), 0, "nothing of the other tenant stays on the page");
    assert.equal(await picker.inputValue(), other);
    assert.deepEqual((await picker.locator("option").allTextContents()).sort(), ["Acme (editor)", "Globex (viewer)"]);

    // The choice is the session's: a reload keeps it.
    await page.reload();
    await page.getByRole("link", { name: hidden }).waitFor();
    await assertAccessible(page, "the bots page with the tenant picker");
    await page.screenshot({ path: "/tmp/console-tenant-picker.png" });
    assert.deepEqual(problems, []);
    await close();
  });
});
