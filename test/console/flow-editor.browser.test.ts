/**
 * A tenant admin builds a bot's flow on the canvas: creates a blank bot, adds a question and a
 * message from the palette, connects them by dragging, fills their forms (a template gets the
 * variable from suggestions), sees the API's problem pinned on the question and fixes it, lets the
 * draft autosave, publishes, chats with the draft in the test panel while the active node glows,
 * undoes and redoes, copies and pastes, imports a flow JSON and exports it unchanged, then reads
 * the versions' diff and restores one. axe-core checks each view; the editor works at 375 px.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, eventually, createTenant, ensureConsoleBuilt, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

const nodeOnCanvas = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** Drags from one handle to another with the mouse, in small steps, as a person does. */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 10, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

describe("console: building a flow on the canvas", function () {
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
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.cleanup();
  });

  const draftOf = async (botId: string) => (await node.request("GET", `/v1/admin/bots/${botId}`, { key: acme.keys.admin })).body.draftFlow;

  it("builds, checks, autosaves, publishes and tests a flow, and keeps the undo history", async () => {
    const { page, problems, close } = await openPage(browser, 1280, 900);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.getByRole("button", { name: "New bot" }).click();
    await page.getByRole("dialog").getByLabel("Name", { exact: true }).fill("Support");
    await page.getByRole("dialog").getByRole("button", { name: "Create bot" }).click();
    await page.getByRole("heading", { level: 1, name: "Support" }).waitFor();
    const botId = new URL(page.url()).pathname.split("/").at(-1)!;
    await nodeOnCanvas(page, "welcome").waitFor();
    const panel = page.getByRole("tabpanel", { name: "Node" });

    // The palette offers every node type the tenant may use.
    const palette = page.getByRole("navigation", { name: "Add a node" });
    for (const type of ["message", "question", "condition", "action", "webhook", "end"]) assert.equal(await palette.getByRole("button", { name: `Add ${type} node` }).count(), 1, type);

    // A question: its form comes from the question type's schema.
    await palette.getByRole("button", { name: "Add question node" }).click();
    await nodeOnCanvas(page, "question_1").waitFor();
    await panel.getByRole("heading", { name: /question_1/ }).waitFor();
    assert.deepEqual(await panel.getByLabel("Input type").locator("option").allTextContents(), ["(default)", "text", "number", "email", "phone", "date", "choice"]);
    await panel.getByLabel(/^Question/).fill("What's your name?");
    // Each field says what it is for, from the schema's descriptions.
    assert.equal(await panel.locator(".hint", { hasText: "Where the accepted answer is stored" }).locator("code", { hasText: "user.email" }).count(), 1);

    // The API finds the variable missing: the problem is pinned on the question, not elsewhere.
    await nodeOnCanvas(page, "question_1").locator(".flow-node.invalid").waitFor();
    await eventually(async () => assert.match(await nodeOnCanvas(page, "question_1").textContent() ?? "", /content\.variable/));
    assert.equal(await nodeOnCanvas(page, "welcome").locator(".flow-node.invalid").count(), 0);
    await eventually(async () => assert.match(await panel.getByRole("group", { name: "Problems with this node" }).textContent() ?? "", /content\.variable/));
    await panel.getByLabel(/^Variable/).fill("user.name");

    // A message after it, connected by dragging from each node's "default" handle.
    await palette.getByRole("button", { name: "Add message node" }).click();
    await nodeOnCanvas(page, "message_1").waitFor();
    await page.getByRole("button", { name: "Fit View" }).click();
    await drag(page, nodeOnCanvas(page, "welcome").locator('.react-flow__handle.source[data-handleid="default"]'), nodeOnCanvas(page, "question_1").locator(".react-flow__handle.target"));
    await drag(page, nodeOnCanvas(page, "question_1").locator('.react-flow__handle.source[data-handleid="default"]'), nodeOnCanvas(page, "message_1").locator(".react-flow__handle.target"));
    await eventually(async () => assert.equal(await page.locator(".react-flow__edge").count(), 2));

    // The message's text (a message may show a content library item instead, so it starts with
    // none): typing {{ offers the variables in scope.
    await nodeOnCanvas(page, "message_1").click();
    await panel.getByRole("button", { name: "Add message", exact: true }).click();
    await panel.locator(".hint", { hasText: "A text message" }).waitFor();
    const text = panel.getByLabel(/^Text/);
    await text.click();
    await text.pressSequentially("Nice to meet you, {{us");
    const suggestion = panel.getByRole("option", { name: "{{user.name}}" });
    await suggestion.waitFor();
    await text.press("Enter");
    await text.pressSequentially("!");
    assert.equal(await text.inputValue(), "Nice to meet you, {{user.name}}!");

    // Autosaved: the draft the API holds is what the canvas shows, with its layout, and has no problem left.
    await eventually(async () => {
      const draft = await draftOf(botId);
      assert.deepEqual(draft.nodes.map((n: { id: string }) => n.id), ["welcome", "question_1", "message_1"]);
      assert.deepEqual(draft.nodes[0].connections, { default: "question_1" });
      assert.deepEqual(draft.nodes[1].connections, { default: "message_1" });
      assert.equal(draft.nodes[1].content.variable, "user.name");
      assert.equal(draft.nodes[2].content.messages[0].text, "Nice to meet you, {{user.name}}!");
      assert.deepEqual(Object.keys(draft.layout).sort(), ["message_1", "question_1", "welcome"]);
    }, { timeoutMs: 15_000 });
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
    assert.equal(await page.locator(".flow-node.invalid").count(), 0, "the fixed problem is gone");
    await assertAccessible(page, "the flow editor with a node's form open");

    // Undo and redo, copy and paste, delete: keyboard shortcuts on the canvas.
    await nodeOnCanvas(page, "message_1").click();
    await page.keyboard.press("Control+c");
    await page.keyboard.press("Control+v");
    await nodeOnCanvas(page, "message_2").waitFor();
    await page.keyboard.press("Control+z");
    await nodeOnCanvas(page, "message_2").waitFor({ state: "detached" });
    await page.keyboard.press("Control+Shift+z");
    await nodeOnCanvas(page, "message_2").waitFor();
    await nodeOnCanvas(page, "message_2").click();
    await page.keyboard.press("Delete");
    await nodeOnCanvas(page, "message_2").waitFor({ state: "detached" });
    await eventually(async () => assert.equal((await draftOf(botId)).nodes.length, 3), { timeoutMs: 15_000 });

    // Publish: a new immutable version.
    await page.getByRole("button", { name: "Publish" }).click();
    await page.getByRole("status").filter({ hasText: "Published version 2." }).waitFor();
    const versions = await node.request("GET", `/v1/admin/bots/${botId}/versions`, { key: acme.keys.admin });
    assert.deepEqual(versions.body.versions.map((v: { version: number }) => v.version), [1, 2]);

    // Test the draft beside the canvas: the node the conversation waits on glows.
    await page.getByRole("tab", { name: "Test" }).click();
    await page.getByRole("button", { name: "Start conversation" }).click();
    const transcript = page.getByRole("log", { name: "Test conversation" });
    await transcript.getByText("What's your name?").waitFor();
    await nodeOnCanvas(page, "question_1").locator(".flow-node.active").waitFor();
    await assertAccessible(page, "the test panel");
    await page.getByLabel("Your message").fill("Ada");
    await page.getByLabel("Your message").press("Enter");
    await transcript.getByText("Nice to meet you, Ada!").waitFor();
    // Each turn lists what it changed in the variables: the answer went into user.name.
    const changes = transcript.locator(".turn-changes").last();
    await changes.getByText("1 variable changed").waitFor();
    assert.match(await changes.textContent() ?? "", /user\.name\s*—\s*→\s*"Ada"/);
    await eventually(async () => assert.equal(await page.locator(".flow-node.active").count(), 0), { timeoutMs: 5000 });
    await page.screenshot({ path: "/tmp/console-editor-1280.png" });
    assert.deepEqual(problems, []);
    await close();
  });

  it("imports a flow JSON, lays it out, exports it unchanged, and restores an earlier version from the versions page", async () => {
    const bot = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Imported", flow: { start: "a", nodes: [{ id: "a", type: "end", content: {} }] } } })).body;
    const imported = {
      start: "menu",
      nodes: [
        { id: "menu", type: "question", content: { question: "Sales or support?", input_type: "choice", variable: "session.topic", choices: [{ label: "Sales", value: "sales" }, { label: "Support", value: "support" }] }, connections: { sales: "sales", support: "support", default: "support" } },
        { id: "sales", type: "message", content: { messages: [{ type: "text", text: "Our sales team will call." }] }, connections: { default: "bye" } },
        { id: "support", type: "message", content: { messages: [{ type: "text", text: "Describe the problem." }] }, connections: { default: "bye" } },
        { id: "bye", type: "end", content: {} },
      ],
    };
    const folder = mkdtempSync(join(tmpdir(), "bp-flow-"));
    const file = join(folder, "menu.flow.json");
    const text = `${JSON.stringify(imported, null, 2)}\n`;
    writeFileSync(file, text);

    const { page, problems, close } = await openPage(browser, 1280, 900);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${bot.id}`);
    await nodeOnCanvas(page, "a").waitFor();
    await page.locator('input[type="file"]').setInputFiles(file);
    await nodeOnCanvas(page, "menu").waitFor();
    // No positions in the file: an automatic layout, top to bottom, nobody on top of anybody.
    const boxes = await Promise.all(imported.nodes.map(async (n) => (await nodeOnCanvas(page, n.id).boundingBox())!));
    assert.ok(boxes[0]!.y < boxes[1]!.y && boxes[1]!.y < boxes[3]!.y, "the start is on top, the end at the bottom");
    assert.ok(Math.abs(boxes[1]!.x - boxes[2]!.x) > boxes[1]!.width * 0.9, "the two branches sit side by side");
    assert.deepEqual((await nodeOnCanvas(page, "menu").locator(".out-label").allTextContents()), ["default", "sales", "support", "error"], "a handle per choice");
    await eventually(async () => assert.deepEqual(await draftOf(bot.id), imported), { timeoutMs: 15_000 });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export" }).click()]);
    const exported = readFileSync((await download.path())!, "utf8");
    assert.equal(exported, text, "what is imported exports unchanged, byte for byte");

    // Publish it, then read what changed and go back to version 1.
    await page.getByRole("button", { name: "Publish" }).click();
    await page.getByRole("status").filter({ hasText: "Published version 2." }).waitFor();
    await page.getByRole("link", { name: "Versions" }).click();
    await page.getByRole("heading", { name: "Version 2, compared with version 1" }).waitFor();
    const diff = await page.locator(".diff").textContent();
    assert.match(diff ?? "", /Added question node menu\./);
    assert.match(diff ?? "", /Removed end node a\./);
    await assertAccessible(page, "the versions page");
    await page.getByRole("button", { name: /Version 1/ }).click();
    await page.getByRole("button", { name: "Restore this version" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Restore and publish" }).click();
    await page.getByRole("status").filter({ hasText: "Version 1 is live again, as version 3." }).waitFor();
    const live = await node.request("GET", `/v1/admin/bots/${bot.id}/versions/3`, { key: acme.keys.admin });
    assert.deepEqual(live.body.flow.nodes.map((n: { id: string }) => n.id), ["a"]);
    assert.deepEqual(problems, []);
    await close();
  });

  it("works at 375 px and by keyboard: add a node from the palette, connect it from its form, delete and undo", async () => {
    const bot = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Pocket", flow: { start: "hi", nodes: [{ id: "hi", type: "message", content: { messages: [{ type: "text", text: "Hi" }] } }] } } })).body;
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${bot.id}`);
    await nodeOnCanvas(page, "hi").waitFor();
    await assertNoSidewaysScroll(page, "the flow editor");
    await assertAccessible(page, "the flow editor at 375 px");

    await page.getByRole("button", { name: "Add end node" }).focus();
    await page.keyboard.press("Enter");
    await nodeOnCanvas(page, "end_1").waitFor();
    // Select the first node by keyboard on the canvas, then connect it from its form.
    await nodeOnCanvas(page, "hi").focus();
    await page.keyboard.press("Enter");
    const panel = page.getByRole("tabpanel", { name: "Node" });
    await panel.getByRole("heading", { name: /hi/ }).waitFor();
    await panel.getByLabel("default").selectOption("end_1");
    await eventually(async () => assert.equal(await page.locator(".react-flow__edge").count(), 1));
    await nodeOnCanvas(page, "end_1").focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Delete");
    await nodeOnCanvas(page, "end_1").waitFor({ state: "detached" });
    await page.keyboard.press("Control+z");
    await nodeOnCanvas(page, "end_1").waitFor();
    await eventually(async () => assert.deepEqual((await draftOf(bot.id)).nodes[0].connections, { default: "end_1" }), { timeoutMs: 15_000 });
    await assertNoSidewaysScroll(page, "the flow editor with a node's form");
    await page.screenshot({ path: "/tmp/console-editor-form-375.png", fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  });

  it("never overwrites another editor's save unseen, and keeps changes made when the sign-in expired mid-edit", async () => {
    const flow = { start: "hi", nodes: [{ id: "hi", type: "message", content: { messages: [{ type: "text", text: "Hi" }] } }] };
    const tenant = await createTenant(node, "Shared drafts");
    const shared = (await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Team bot", flow } })).body;
    let key = tenant.keys.admin;
    const saveAsColleague = async (text: string) => {
      const current = await node.request("GET", `/v1/admin/bots/${shared.id}`, { key });
      const theirs = { start: "hi", nodes: [{ id: "hi", type: "message", content: { messages: [{ type: "text", text }] } }] };
      const saved = await node.request("PUT", `/v1/admin/bots/${shared.id}/flow`, { key, body: theirs, headers: { "if-match": `"${current.body.draftRevision}"` } });
      assert.equal(saved.status, 200, saved.text);
    };
    const { page, problems, close } = await openPage(browser, 1280, 900);
    await signInWithKey(page, node.url, key);
    await page.goto(`${node.url}/console/bots/${shared.id}`);
    await nodeOnCanvas(page, "hi").waitFor();
    const saveState = page.locator(".save-state");

    // A colleague saves while this editor has the draft open; this editor's next save is refused, and it asks.
    await saveAsColleague("Hello from a colleague");
    await page.getByRole("button", { name: "Add end node" }).click();
    await nodeOnCanvas(page, "end_1").waitFor();
    const conflict = page.getByRole("alert").filter({ hasText: "Someone else saved this draft" });
    await conflict.waitFor();
    await eventually(async () => assert.equal(await saveState.textContent(), "Not saved: someone else changed this draft"));
    const colleagues = (await node.request("GET", `/v1/admin/bots/${shared.id}`, { key })).body.draftFlow;
    assert.equal(colleagues.nodes.length, 1, "the colleague's draft is untouched");
    await assertAccessible(page, "the editor with a draft conflict");
    await page.screenshot({ path: "/tmp/console-editor-conflict.png" });
    await conflict.getByRole("button", { name: "Keep my version" }).click();
    await eventually(async () => assert.deepEqual((await node.request("GET", `/v1/admin/bots/${shared.id}`, { key })).body.draftFlow.nodes.map((n: { id: string }) => n.id), ["hi", "end_1"]), { timeoutMs: 10_000 });

    // Again, and this time the editor takes the colleague's version.
    await saveAsColleague("Second colleague edit");
    await page.getByRole("button", { name: "Add end node" }).click();
    await nodeOnCanvas(page, "end_2").waitFor();
    await conflict.waitFor();
    await conflict.getByRole("button", { name: "Load their version" }).click();
    await nodeOnCanvas(page, "end_2").waitFor({ state: "detached" });
    await nodeOnCanvas(page, "end_1").waitFor({ state: "detached" });
    await eventually(async () => assert.match(await nodeOnCanvas(page, "hi").textContent() ?? "", /Second colleague edit/));

    // The key is replaced while the editor works: the edit cannot be saved, the console asks to sign in again, and the edit is not lost.
    const rotated = await node.request("POST", `/v1/admin/tenants/${tenant.id}/keys`, { key, body: { kind: "admin" } });
    assert.equal(rotated.status, 201, rotated.text);
    key = rotated.body.key;
    await page.getByRole("button", { name: "Add end node" }).click();
    await page.getByText("Your sign-in has expired").waitFor({ timeout: 15_000 });
    assert.equal((await node.request("GET", `/v1/admin/bots/${shared.id}`, { key })).body.draftFlow.nodes.length, 1, "the edit never reached the platform");
    await signInWithKey(page, node.url, key);
    await page.goto(`${node.url}/console/bots/${shared.id}`);
    const kept = page.getByRole("alert").filter({ hasText: "did not reach the platform" });
    await kept.waitFor();
    await assertAccessible(page, "the editor offering kept changes");
    await kept.getByRole("button", { name: "Restore my changes" }).click();
    await nodeOnCanvas(page, "end_1").waitFor();
    await eventually(async () => assert.deepEqual((await node.request("GET", `/v1/admin/bots/${shared.id}`, { key })).body.draftFlow.nodes.map((n: { id: string }) => n.id), ["hi", "end_1"]), { timeoutMs: 10_000 });
    // Restored and saved: opening the bot again offers nothing.
    await page.reload();
    await nodeOnCanvas(page, "end_1").waitFor();
    assert.equal(await page.getByRole("alert").filter({ hasText: "did not reach the platform" }).count(), 0);
    assert.deepEqual(problems.filter((p) => !p.includes("401")), []);
    await close();
  });
});
