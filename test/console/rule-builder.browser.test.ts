/**
 * A tenant admin writes a condition without JSON: on the condition node's form, each branch has a
 * rule builder (variable from the flow's variables, operator, value; all or any; a nested group).
 * The saved draft holds exactly the JSON-Logic expected, a rule the rows cannot show stays raw and
 * unchanged, and the test panel takes the branch the rule picks. axe-core, 375 px and keyboard.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, createTenant, ensureConsoleBuilt, eventually, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

const nodeOnCanvas = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

// A rule the builder cannot show as rows (a `cat` inside a comparison): it must survive untouched.
const legacyRule = { "==": [{ cat: [{ var: "user.plan" }, "!"] }, "never!"] };

const flow = {
  start: "ask_age",
  nodes: [
    { id: "ask_age", type: "question", content: { question: "How old are you?", input_type: "number", variable: "user.age" }, connections: { default: "ask_plan" } },
    { id: "ask_plan", type: "question", content: { question: "Which plan are you on?", input_type: "text", variable: "user.plan" }, connections: { default: "check" } },
    { id: "check", type: "condition", content: { conditions: [{ if: legacyRule, then: "standard" }], else: "standard" } },
    { id: "vip", type: "message", content: { messages: [{ type: "text", text: "Welcome to the VIP desk." }] }, connections: { default: "done" } },
    { id: "standard", type: "message", content: { messages: [{ type: "text", text: "Welcome to the help desk." }] }, connections: { default: "done" } },
    { id: "done", type: "end", content: {} },
  ],
};

describe("console: the condition rule builder", function () {
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

  it("builds a branch's rule as rows, saves exactly that JSON-Logic, keeps a raw rule unchanged, and the test panel takes the branch", async () => {
    // Created with a placeholder flow; the draft (which may have problems, vip is not reached yet) is the one to edit.
    const bot = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Desk", flow: { start: "done", nodes: [{ id: "done", type: "end", content: {} }] } } })).body;
    const saved = await node.request("PUT", `/v1/admin/bots/${bot.id}/flow`, { key: acme.keys.admin, body: flow });
    assert.ok(saved.status < 300, saved.text);
    const { page, problems, close } = await openPage(browser, 1280, 1000);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${bot.id}`);
    await nodeOnCanvas(page, "check").click();
    const panel = page.getByRole("tabpanel", { name: "Node" });
    await panel.getByRole("heading", { name: /check/ }).waitFor();

    // The first branch's rule is JSON-Logic the rows cannot show: it is raw JSON, and says why.
    await panel.getByText("This rule uses JSON-Logic the rows cannot show").waitFor();
    assert.deepEqual(JSON.parse(await panel.getByLabel("If (JSON-Logic)").inputValue()), legacyRule);

    // A second branch gets its own builder.
    await panel.getByRole("button", { name: "Add condition" }).click();
    const rules = panel.getByRole("group", { name: "If rules" });
    await rules.getByText("No rules yet").waitFor();
    await rules.getByRole("button", { name: "Add rule to If" }).click();

    // The first row by keyboard: a variable the flow uses, "is at least" five steps down, 18.
    const first = rules.getByRole("group", { name: "If rule 1" });
    assert.ok((await page.locator("datalist option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).includes("user.age"), "the flow's variables are offered");
    await first.getByLabel("Variable").focus();
    await page.keyboard.type("user.age");
    await page.keyboard.press("Tab");
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowDown");
    assert.equal(await first.getByLabel("Operator").inputValue(), ">=");
    await page.keyboard.press("Tab");
    await page.keyboard.type("18");

    // A nested group: plan is gold or platinum, or a VIP flag is set.
    await rules.getByRole("button", { name: "Add group to If" }).click();
    const nested = rules.getByRole("group", { name: "If group 2" });
    const plan = nested.getByRole("group", { name: "If group 2 rule 1" });
    await plan.getByLabel("Variable").fill("user.plan");
    await plan.getByLabel("Operator").selectOption({ label: "is one of" });
    await plan.getByLabel("Values (comma-separated)").fill("gold, platinum");
    await nested.getByRole("button", { name: "Add rule to If group 2" }).click();
    const flag = nested.getByRole("group", { name: "If group 2 rule 2" });
    await flag.getByLabel("Variable").fill("user.vip");
    await flag.getByLabel("Operator").selectOption({ label: "is not empty" });
    assert.equal(await flag.getByLabel("Value").count(), 0, "is not empty takes no value");
    assert.equal(await nested.getByLabel("Match").inputValue(), "any");
    await panel.getByLabel("Then go to").nth(1).fill("vip");
    await assertAccessible(page, "the condition form with a rule builder");
    await page.screenshot({ path: "/tmp/console-rule-builder-1280.png" });

    const expected = { and: [{ ">=": [{ var: "user.age" }, 18] }, { or: [{ in: [{ var: "user.plan" }, ["gold", "platinum"]] }, { "!!": { var: "user.vip" } }] }] };
    await eventually(async () => {
      const check = (await draftOf(bot.id)).nodes.find((n: { id: string }) => n.id === "check");
      assert.deepEqual(check.content.conditions, [{ if: legacyRule, then: "standard" }, { if: expected, then: "vip" }]);
    }, { timeoutMs: 15_000 });
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();

    // Reloaded, the rule reads back into the same rows.
    await page.reload();
    await nodeOnCanvas(page, "check").click();
    await panel.getByRole("group", { name: "If group 2 rule 1" }).waitFor();
    assert.equal(await panel.getByRole("group", { name: "If rule 1" }).getByLabel("Variable").inputValue(), "user.age");
    assert.equal(await panel.getByRole("group", { name: "If group 2 rule 1" }).getByLabel("Values (comma-separated)").inputValue(), "gold, platinum");

    // The test panel takes the branch the rule picks.
    await page.getByRole("tab", { name: "Test" }).click();
    const transcript = page.getByRole("log", { name: "Test conversation" });
    const answer = async (text: string) => {
      await page.getByLabel("Your message").fill(text);
      await page.getByLabel("Your message").press("Enter");
    };
    await page.getByRole("button", { name: "Start conversation" }).click();
    await transcript.getByText("How old are you?").waitFor();
    await answer("30");
    await transcript.getByText("Which plan are you on?").waitFor();
    await answer("gold");
    await transcript.getByText("Welcome to the VIP desk.").waitFor();
    await page.getByRole("button", { name: "Restart" }).click();
    await transcript.getByText("How old are you?").waitFor();
    await answer("16");
    await transcript.getByText("Which plan are you on?").waitFor();
    await answer("gold");
    await transcript.getByText("Welcome to the help desk.").waitFor();
    assert.equal(await transcript.getByText("Welcome to the VIP desk.").count(), 0);

    // Nothing else in the draft moved: the raw rule is byte for byte what it was.
    const check = (await draftOf(bot.id)).nodes.find((n: { id: string }) => n.id === "check");
    assert.deepEqual(check.content.conditions[0], { if: legacyRule, then: "standard" });
    assert.deepEqual(problems, []);
    await close();
  });

  it("opens a readable rule as rows without changing it, and works at 375 px", async () => {
    const rule = { "!=": [{ var: "user.name" }, "bob"] };
    const small = { start: "check", nodes: [
      { id: "check", type: "condition", content: { conditions: [{ if: rule, then: "done" }], else: "done" } },
      { id: "done", type: "end", content: {} },
    ] };
    const bot = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Pocket rules", flow: small } })).body;
    const { page, problems, close } = await openPage(browser, 375, 800);
    await signInWithKey(page, node.url, acme.keys.admin);
    await page.goto(`${node.url}/console/bots/${bot.id}`);
    await nodeOnCanvas(page, "check").focus();
    await page.keyboard.press("Enter");
    const panel = page.getByRole("tabpanel", { name: "Node" });
    const row = panel.getByRole("group", { name: "If rule 1" });
    await row.waitFor();
    assert.equal(await row.getByLabel("Variable").inputValue(), "user.name");
    assert.equal(await row.getByLabel("Operator").inputValue(), "!=");
    assert.equal(await row.getByLabel("Value").inputValue(), "bob");
    await row.scrollIntoViewIfNeeded();
    await assertNoSidewaysScroll(page, "the rule builder at 375 px");
    await assertAccessible(page, "the rule builder at 375 px");
    await page.screenshot({ path: "/tmp/console-rule-builder-375.png", fullPage: true });
    // Switching to JSON and back changes nothing either.
    await panel.getByRole("button", { name: "Edit as JSON" }).click();
    assert.deepEqual(JSON.parse(await panel.getByLabel("If (JSON-Logic)").inputValue()), rule);
    await panel.getByRole("button", { name: "Edit as rows" }).click();
    await row.waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await node.request("GET", `/v1/admin/bots/${bot.id}`, { key: acme.keys.admin })).body;
    assert.equal(after.draftRevision, bot.draftRevision, "opening the rule saved nothing");
    assert.deepEqual((after.draftFlow ?? small).nodes[0].content.conditions[0].if, rule);
    assert.deepEqual(problems, []);
    await close();
  });
});
