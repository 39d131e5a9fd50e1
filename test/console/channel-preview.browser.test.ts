/**
 * A tenant admin tests a flow and switches the test panel between channels to see how the same
 * turn reads on each: the web's buttons, WhatsApp's interactive reply buttons (which answer), and
 * an SMS with numbered options and its segment count. The API renders each turn with the channel's
 * own code. axe-core on each view; it works at 375 px and by keyboard.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, createTenant, ensureConsoleBuilt, launchChromium, openPage, signInWithKey, type Tenant } from "./console-kit.ts";

const welcome = "Welcome to Acme support. We answer every day from 8 to 20, and most questions are settled in a few minutes. Tell us what it is about and we will take it from there, with the right person for your question.";
const flow = {
  start: "welcome",
  nodes: [
    { id: "welcome", type: "message", content: { messages: [{ type: "text", text: welcome }] }, connections: { default: "topic" } },
    { id: "topic", type: "question", content: { question: "What is it about?", input_type: "choice", variable: "session.topic", choices: [{ label: "Sales", value: "sales" }, { label: "Support", value: "support" }, { label: "Billing", value: "billing" }] }, connections: { default: "thanks" } },
    { id: "thanks", type: "message", content: { messages: [{ type: "text", text: "Thanks, {{session.topic}} it is." }] }, connections: { default: "done" } },
    { id: "done", type: "end", content: {} },
  ],
};

describe("console: the test panel's channel previews", function () {
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

  for (const [width, height] of [[1280, 900], [375, 800]] as const) {
    it(`shows one question with buttons on the web, as WhatsApp reply buttons and as a numbered SMS (${width} px)`, async () => {
      const bot = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: `Desk ${width}`, flow } })).body;
      const { page, problems, close } = await openPage(browser, width, height);
      await signInWithKey(page, node.url, acme.keys.admin);
      await page.goto(`${node.url}/console/bots/${bot.id}`);
      await page.getByRole("tab", { name: "Test" }).click();
      await page.getByRole("button", { name: "Start conversation" }).click();
      const transcript = page.getByRole("log", { name: "Test conversation" });
      const answers = page.getByRole("group", { name: "Answers" });

      // The web: the question, and its choices as buttons.
      await transcript.getByText("What is it about?").waitFor();
      assert.deepEqual(await answers.getByRole("button").allTextContents(), ["Sales", "Support", "Billing"]);
      const switcher = page.getByRole("group", { name: "Show the conversation as on" });
      assert.deepEqual(await switcher.getByRole("radio").evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value)), ["web", "sms", "whatsapp"]);

      // SMS, chosen by keyboard: plain text, the choices numbered, and how many segments the long welcome costs.
      await switcher.getByRole("radio", { name: "Web" }).focus();
      await page.keyboard.press("ArrowRight");
      assert.equal(await switcher.getByRole("radio", { name: "SMS" }).isChecked(), true);
      const sms = transcript.locator(".bubble.bot").first();
      await sms.getByText("1. Sales").waitFor();
      const text = (await sms.textContent()) ?? "";
      assert.match(text, /What is it about\?\n1\. Sales\n2\. Support\n3\. Billing\nReply with a number\./);
      assert.match(text, /^Bot on SMS: Welcome to Acme support/);
      await transcript.getByText(/sent as 2 segments/).waitFor();
      await transcript.getByText(/choices are numbered/).waitFor();
      assert.equal(await transcript.getByRole("group", { name: /Reply buttons/ }).count(), 0, "an SMS has no buttons");
      await assertAccessible(page, "the test panel as SMS");
      if (width === 375) await assertNoSidewaysScroll(page, "the test panel at 375 px");
      await page.getByRole("tabpanel", { name: "Test" }).screenshot({ path: `/tmp/console-preview-sms-${width}.png` });

      // WhatsApp, by keyboard: the same turn as interactive reply buttons under the bubble.
      await page.keyboard.press("ArrowRight");
      assert.equal(await switcher.getByRole("radio", { name: "WhatsApp" }).isChecked(), true);
      const replyButtons = transcript.getByRole("group", { name: "Reply buttons on WhatsApp" });
      await replyButtons.waitFor();
      assert.deepEqual(await replyButtons.getByRole("button").allTextContents(), ["Sales", "Support", "Billing"]);
      await transcript.getByText(welcome).waitFor();
      await assertAccessible(page, "the test panel as WhatsApp");
      await page.getByRole("tabpanel", { name: "Test" }).screenshot({ path: `/tmp/console-preview-whatsapp-${width}.png` });

      // On WhatsApp, a reply button answers the question.
      await replyButtons.getByRole("button", { name: "Support" }).click();
      await transcript.getByText("Thanks, support it is.").waitFor();
      assert.equal(await transcript.getByRole("group", { name: "Reply buttons on WhatsApp" }).getByRole("button", { name: "Support" }).isDisabled(), true, "an answered turn's buttons no longer answer");
      await page.getByRole("tabpanel", { name: "Test" }).screenshot({ path: `/tmp/console-preview-answered-${width}.png` });
      assert.deepEqual(problems, []);
      await close();
    });
  }
});
