/**
 * The node-type reference in the console: a tenant admin finds what a node takes without reading
 * source: each type's fields with their allowed values, a minimal node, a filter; at 1280 px and
 * 375 px, with axe-core finding no serious or critical violation.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, createTenant, ensureConsoleBuilt, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

describe("console: the node-type reference", function () {
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

  it("lists every node type's fields with allowed values and a minimal node, and filters them", async () => {
    const { page, problems, close } = await openPage(browser);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.getByRole("link", { name: "Node types" }).click();
    await page.getByRole("heading", { level: 1, name: "Node types" }).waitFor();
    const question = page.getByRole("region", { name: "question", exact: true });
    await question.waitFor();
    const fields = question.getByRole("region", { name: "Fields of question" });
    assert.match(await fields.textContent() ?? "", /input_type.*one of the allowed values.*Allowed: "text", .*"email"/s);
    assert.match(await fields.textContent() ?? "", /variable\s*required/);
    // Each field says what it is for, with paths and templates shown as code rather than raw backticks.
    const variableRow = fields.getByRole("row").filter({ has: page.getByText("Where the accepted answer is stored") });
    assert.equal(await variableRow.locator("td code", { hasText: "user.email" }).count(), 1);
    assert.doesNotMatch(await fields.textContent() ?? "", /`/);
    await question.getByText("A minimal node").click();
    const example = JSON.parse(await question.locator("pre").textContent() ?? "{}");
    assert.equal(example.type, "question");
    assert.equal(typeof example.content.variable, "string");
    await assertAccessible(page, "the node-type reference");
    await page.screenshot({ path: "/tmp/console-node-types-1280.png" });

    await page.getByRole("region", { name: "action", exact: true }).screenshot({ path: "/tmp/console-node-types-action.png" });

    await page.getByLabel("Find a node type").fill("webhook");
    await page.getByRole("region", { name: "question", exact: true }).waitFor({ state: "detached" });
    assert.ok(await page.getByRole("region", { name: "webhook", exact: true }).isVisible());
    await page.getByLabel("Find a node type").fill("no such node at all");
    await page.getByText("No node type matches").waitFor();
    assert.deepEqual(problems, []);
    await close();
  });

  it("reads at 375 px wide without sideways scrolling", async () => {
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/node-types`);
    await page.getByRole("region", { name: "question", exact: true }).waitFor();
    await assertNoSidewaysScroll(page, "the node-type reference at 375 px");
    await assertAccessible(page, "the node-type reference at 375 px");
    await page.screenshot({ path: "/tmp/console-node-types-375.png" });
    assert.deepEqual(problems, []);
    await close();
  });
});
