/**
 * What the console's browser tests share: one build per run (scripts/build-console.sh skips it when
 * up to date), Debian's Chromium, a platform node with a tenant, and axe-core.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import type { TestPlatform } from "../kit/test-platform.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const projectRoot = join(import.meta.dirname, "../..");
export const consoleDist = join(projectRoot, "console/dist");

let built = false;
/** Builds the console once per test run (and not at all when console/dist is newer than its sources). */
export function ensureConsoleBuilt(): void {
  if (built) return;
  execFileSync(join(projectRoot, "scripts/build-console.sh"), { stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 });
  built = true;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

export const chromiumMissing = () => !existsSync(CHROMIUM);

export type Tenant = { id: string; keys: { admin: string; widget: string } };
export async function createTenant(node: TestPlatform, name: string): Promise<Tenant> {
  const created = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name } });
  assert.equal(created.status, 201, created.text);
  return created.body;
}

/** A page that fails the test on any script error or console error the console itself logs. */
export async function openPage(browser: Browser, width = 1280, height = 860): Promise<{ page: Page; problems: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // A refused call is logged by Chromium as "Failed to load resource"; the stories assert what the
  // person sees of those (a 401 for a wrong key, a 404 from /v1/auth/session until people land).
  // Any answer of 500 or more is a problem whatever the page shows.
  page.on("console", (message) => { if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console error: ${message.text()}`); });
  page.on("response", (response) => { if (response.status() >= 500) problems.push(`${response.status()} from ${response.request().method()} ${response.url()}`); });
  return { page, problems, close: () => context.close() };
}

/** Signs in the way a person does today: "Sign in with an API key". */
export async function signInWithKey(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByRole("button", { name: "Sign in with an API key" }).click();
  await page.getByLabel("Tenant admin key").fill(key);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Bots" }).waitFor();
}

/** axe-core on the page as it stands: no serious or critical violation. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`), [], `${what} has no serious or critical accessibility violation`);
}

/** The page fits the viewport's width: nothing needs sideways scrolling. */
export async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${what} fits ${page.viewportSize()?.width}px without sideways scrolling (overflows by ${overflow}px)`);
}

/** Retries an assertion until it passes (the page or the API catches up), then rethrows its last failure. */
export async function eventually(assertion: () => Promise<void> | void, { timeoutMs = 8000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
