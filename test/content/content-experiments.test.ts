import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { eventually } from "../kit/eventually.ts";

type Keys = { id: string; keys: { admin: string; widget: string } };
type Message = { type: string; text?: string; buttons?: { label: string; value: string }[] };
type VariantResult = { variantId: string; impressions: number; conversions: number; shows: number; rate: number | null; z: number | null; pValue: number | null; confidence: number | null };

const offerA = "Try the Standard plan, free for a month.";
const offerB = "Try the Pro plan: half price this week!";

/** The offer is a library item; the bot asks whether it interests the user, and "yes" reaches the goal node. */
const offerFlow = (itemId: string) => ({
  start: "offer",
  nodes: [
    { id: "offer", type: "message", content: { contentId: itemId }, connections: { default: "ask" } },
    { id: "ask", type: "question", content: { question: "Interested?", input_type: "choice", variable: "session.answer", choices: [{ label: "Yes", value: "yes" }, { label: "No", value: "no" }] }, connections: { yes: "signup", no: "bye" } },
    { id: "signup", type: "message", content: { messages: [{ type: "text", text: "Great, let's sign you up." }] } },
    { id: "bye", type: "message", content: { messages: [{ type: "text", text: "Maybe next time." }] } },
  ],
});

/**
 * The normal tail probability by Abramowitz and Stegun 7.1.26 (error under 1.5e-7), written here
 * so the platform's figure is checked against a computation it does not share.
 */
function twoSidedPValue(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return 1 - erf;
}

for (const backend of databaseBackends()) {
  describe(`content library and A/B experiments through the admin and chat API (${backend})`, function () {
    this.timeout(180_000);
    let node: TestPlatform;
    let acme: Keys;
    let globex: Keys;
    let itemId: string;
    let botId: string;
    let experimentId: string;

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"], env: { RATE_LIMIT_PAID_PER_MINUTE: "100000" } });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex", tier: "paid" } })).body;
      const item = await admin("POST", "/v1/admin/content", {
        type: "message", name: "Plan offer", tags: ["offer"], locale: "en",
        variants: [
          { id: "standard", weight: 50, messages: [{ type: "text", text: offerA }] },
          { id: "pro", weight: 50, messages: [{ type: "text", text: offerB }] },
        ],
      });
      assert.equal(item.status, 201, item.text);
      itemId = item.body.id;
      const bot = await admin("POST", "/v1/admin/bots", { name: "Offers", flow: offerFlow(itemId) });
      assert.equal(bot.status, 201, bot.text);
      botId = bot.body.id;
    });
    after(async () => node?.cleanup());

    const admin = (method: string, path: string, body?: unknown, key = acme.keys.admin) => node.request(method, path, { key, ...(body === undefined ? {} : { body }) });
    const start = (userId: string) => node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId, userId } });
    const answer = (sessionId: string, choice: string) => node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: acme.keys.widget, body: { choice } });
    const offerOf = (messages: Message[]) => {
      const texts = messages.map((m) => m.text);
      if (texts.includes(offerA)) return "standard";
      if (texts.includes(offerB)) return "pro";
      throw new Error(`no offer among ${JSON.stringify(texts)}`);
    };

    it("keeps the library's tables under forced row-level security, with the tenant and platform policies", async () => {
      const rows = await node.platform.context.db.orm.em.fork().execute<{ tablename: string; policyname: string; forced: boolean }[]>(
        `select p.tablename, p.policyname, c.relforcerowsecurity as forced from pg_policies p join pg_class c on c.relname = p.tablename
         where p.schemaname = current_schema() and p.tablename like 'content\\_%'`,
      );
      for (const table of ["content_item", "content_experiment", "content_impression", "content_conversion"]) {
        const policies = rows.filter((r) => r.tablename === table);
        assert.deepEqual(policies.map((p) => p.policyname).sort(), ["bp_platform_access", "bp_tenant_isolation"], table);
        assert.ok(policies.every((p) => p.forced), `${table} forces row-level security`);
      }
    });

    it("keeps each item with its variants, tags and locale, and lists it by tag", async () => {
      const got = await admin("GET", `/v1/admin/content/${itemId}`);
      assert.equal(got.status, 200, got.text);
      assert.deepEqual({ type: got.body.type, tags: got.body.tags, locale: got.body.locale, variants: got.body.variants.map((v: { id: string; weight: number }) => [v.id, v.weight]) },
        { type: "message", tags: ["offer"], locale: "en", variants: [["standard", 50], ["pro", 50]] });
      const listed = await admin("GET", "/v1/admin/content?tag=offer");
      assert.deepEqual(listed.body.items.map((i: { id: string }) => i.id), [itemId]);
      assert.deepEqual((await admin("GET", "/v1/admin/content?tag=nothing")).body.items, []);
    });

    it("splits 200 users over two variants, each keeping theirs, and counts impressions and conversions exactly", async () => {
      const created = await admin("POST", "/v1/admin/experiments", { name: "Offer wording", itemId, botId, goal: { kind: "node", nodeId: "signup" } });
      assert.equal(created.status, 201, created.text);
      experimentId = created.body.id;
      assert.equal(created.body.status, "running");

      const seen = new Map<string, string>();
      const expected = { standard: { impressions: 0, conversions: 0 }, pro: { impressions: 0, conversions: 0 } };
      for (let i = 0; i < 200; i++) {
        const userId = `user-${i}`;
        const started = await start(userId);
        assert.equal(started.status, 201, started.text);
        const variant = offerOf(started.body.messages);
        seen.set(userId, variant);
        expected[variant as keyof typeof expected].impressions++;
        // A known subset says yes and reaches the goal node: every third user.
        const yes = i % 3 === 0;
        const replied = await answer(started.body.sessionId, yes ? "yes" : "no");
        assert.equal(replied.status, 200, replied.text);
        assert.equal(replied.body.messages[0].text, yes ? "Great, let's sign you up." : "Maybe next time.");
        if (yes) expected[variant as keyof typeof expected].conversions++;
      }
      // 50/50 by a hash: both variants are shown, to roughly half each.
      assert.ok(expected.standard.impressions > 60 && expected.pro.impressions > 60, JSON.stringify(expected));

      // A user keeps the variant first shown, in every later session.
      for (let i = 0; i < 20; i++) {
        const again = await start(`user-${i}`);
        assert.equal(offerOf(again.body.messages), seen.get(`user-${i}`), `user-${i} keeps their variant`);
      }

      const results = await eventually(
        async () => (await admin("GET", `/v1/admin/experiments/${experimentId}`)).body,
        (body) => body.variants.reduce((n: number, v: VariantResult) => n + v.shows, 0) === 220
          && body.variants.reduce((n: number, v: VariantResult) => n + v.conversions, 0) === expected.standard.conversions + expected.pro.conversions,
        15_000,
      );
      const byId = Object.fromEntries(results.variants.map((v: VariantResult) => [v.variantId, v])) as Record<"standard" | "pro", VariantResult>;
      for (const id of ["standard", "pro"] as const) {
        assert.equal(byId[id].impressions, expected[id].impressions, `${id} impressions`);
        assert.equal(byId[id].conversions, expected[id].conversions, `${id} conversions`);
        assert.equal(byId[id].rate, expected[id].conversions / expected[id].impressions);
      }
      assert.equal(byId.standard.impressions + byId.pro.impressions, 200, "an impression is a user shown the variant, however often");

      // The z-test by hand: pooled proportion, standard error, z; the p-value from a separate erf.
      const [n1, c1, n2, c2] = [expected.standard.impressions, expected.standard.conversions, expected.pro.impressions, expected.pro.conversions];
      const pooled = (c1 + c2) / (n1 + n2);
      const z = (c2 / n2 - c1 / n1) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
      assert.equal(results.test.name, "two-proportion z-test");
      assert.match(results.test.description, /two-sided/);
      assert.equal(results.test.controlVariantId, "standard");
      assert.equal(byId.standard.z, null, "the control is not tested against itself");
      assert.ok(Math.abs(byId.pro.z! - z) < 1e-9, `z ${byId.pro.z} vs ${z}`);
      assert.ok(Math.abs(byId.pro.pValue! - twoSidedPValue(z)) < 1e-6, `p ${byId.pro.pValue} vs ${twoSidedPValue(z)}`);
      assert.ok(Math.abs(byId.pro.confidence! - (1 - twoSidedPValue(z))) < 1e-6);
      assert.equal(results.goalProblem, null);
    });

    it("refuses a second experiment on the same item while one runs", async () => {
      const second = await admin("POST", "/v1/admin/experiments", { name: "Again", itemId, botId, goal: { kind: "node", nodeId: "signup" } });
      assert.deepEqual([second.status, second.body.error.code], [409, "EXPERIMENT_ALREADY_RUNNING"]);
    });

    it("promotes a winner: every user then sees it, and the experiment is closed", async () => {
      const unknown = await admin("POST", `/v1/admin/experiments/${experimentId}/promote`, { variantId: "deluxe" });
      assert.deepEqual([unknown.status, unknown.body.error.code], [400, "CONTENT_VARIANT_UNKNOWN"]);
      const promoted = await admin("POST", `/v1/admin/experiments/${experimentId}/promote`, { variantId: "pro" });
      assert.equal(promoted.status, 200, promoted.text);
      assert.deepEqual([promoted.body.status, promoted.body.winnerVariantId], ["promoted", "pro"]);
      assert.ok(promoted.body.endedAt);
      assert.equal((await admin("GET", `/v1/admin/content/${itemId}`)).body.winnerVariantId, "pro");
      for (let i = 0; i < 12; i++) assert.equal(offerOf((await start(`user-${i}`)).body.messages), "pro", `user-${i} now sees the winner`);
      const again = await admin("POST", `/v1/admin/experiments/${experimentId}/promote`, { variantId: "standard" });
      assert.deepEqual([again.status, again.body.error.code], [409, "EXPERIMENT_CLOSED"]);
      const stop = await admin("POST", `/v1/admin/experiments/${experimentId}/stop`);
      assert.deepEqual([stop.status, stop.body.error.code], [409, "EXPERIMENT_CLOSED"]);
      const listed = await admin("GET", `/v1/admin/experiments?itemId=${itemId}`);
      assert.deepEqual(listed.body.experiments.map((e: { status: string }) => e.status), ["promoted"]);
    });

    it("answers bad input with a 4xx and a code, never another tenant's item", async () => {
      const zero = await admin("POST", "/v1/admin/content", { type: "joke", name: "Nobody sees", variants: [{ weight: 0, messages: [{ type: "text", text: "a" }] }, { weight: 0, messages: [{ type: "text", text: "b" }] }] });
      assert.deepEqual([zero.status, zero.body.error.code], [400, "CONTENT_WEIGHTS_ALL_ZERO"]);
      const patchedZero = await admin("PATCH", `/v1/admin/content/${itemId}`, { variants: [{ id: "x", weight: 0, messages: [{ type: "text", text: "a" }] }] });
      assert.deepEqual([patchedZero.status, patchedZero.body.error.code], [400, "CONTENT_WEIGHTS_ALL_ZERO"]);
      const duplicate = await admin("POST", "/v1/admin/content", { type: "fact", name: "Twice", variants: [{ id: "a", messages: [{ type: "text", text: "a" }] }, { id: "a", messages: [{ type: "text", text: "b" }] }] });
      assert.deepEqual([duplicate.status, duplicate.body.error.code], [400, "CONTENT_VARIANT_DUPLICATE"]);
      const badType = await admin("POST", "/v1/admin/content", { type: "Not A Type!", name: "x", variants: [{ messages: [{ type: "text", text: "a" }] }] });
      assert.equal(badType.status, 400);

      const missing = "00000000-0000-4000-8000-000000000000";
      for (const path of [`/v1/admin/content/${missing}`, "/v1/admin/content/not-an-id"]) {
        const got = await admin("GET", path);
        assert.deepEqual([got.status, got.body.error.code], [404, "CONTENT_NOT_FOUND"]);
      }
      const unknownItem = await admin("POST", "/v1/admin/experiments", { name: "x", itemId: missing, botId, goal: { kind: "node", nodeId: "signup" } });
      assert.deepEqual([unknownItem.status, unknownItem.body.error.code], [404, "CONTENT_NOT_FOUND"]);
      assert.deepEqual((await admin("GET", `/v1/admin/experiments/${missing}`)).body.error.code, "EXPERIMENT_NOT_FOUND");

      // Globex cannot read, change, delete or test Acme's item, and learns nothing of it.
      for (const [method, path, body] of [["GET", `/v1/admin/content/${itemId}`], ["PATCH", `/v1/admin/content/${itemId}`, { name: "mine" }], ["DELETE", `/v1/admin/content/${itemId}`]] as const) {
        const other = await admin(method, path, body, globex.keys.admin);
        assert.deepEqual([other.status, other.body.error.code], [404, "CONTENT_NOT_FOUND"], `${method} ${path}`);
        assert.doesNotMatch(other.text, /Plan offer/);
      }
      assert.deepEqual((await admin("GET", "/v1/admin/content", undefined, globex.keys.admin)).body.items, []);
      const foreign = await admin("POST", "/v1/admin/experiments", { name: "steal", itemId, botId, goal: { kind: "node", nodeId: "signup" } }, globex.keys.admin);
      assert.deepEqual([foreign.status, foreign.body.error.code], [404, "CONTENT_NOT_FOUND"]);
      assert.deepEqual((await admin("GET", `/v1/admin/experiments/${experimentId}`, undefined, globex.keys.admin)).body.error.code, "EXPERIMENT_NOT_FOUND");
      const needsTwo = await admin("POST", "/v1/admin/content", { type: "quote", name: "Alone", variants: [{ messages: [{ type: "text", text: "only" }] }] });
      const single = await admin("POST", "/v1/admin/experiments", { name: "x", itemId: needsTwo.body.id, botId, goal: { kind: "node", nodeId: "signup" } });
      assert.deepEqual([single.status, single.body.error.code], [400, "EXPERIMENT_NEEDS_VARIANTS"]);
      const noNode = await admin("POST", "/v1/admin/experiments", { name: "x", itemId, botId, goal: { kind: "node", nodeId: "nowhere" } });
      assert.deepEqual([noNode.status, noNode.body.error.code], [422, "EXPERIMENT_GOAL_NODE_UNKNOWN"]);
      const badGoal = await admin("POST", "/v1/admin/experiments", { name: "x", itemId, botId, goal: { kind: "mood" } });
      assert.equal(badGoal.status, 400);
    });

    it("reports a goal node deleted in a newer published version: refused for a new experiment, flagged on a running one", async () => {
      const item = await admin("POST", "/v1/admin/content", { type: "message", name: "Greeting", variants: [{ messages: [{ type: "text", text: "Hi" }] }, { messages: [{ type: "text", text: "Hello" }] }] });
      const bot = await admin("POST", "/v1/admin/bots", { name: "Changing", flow: offerFlow(item.body.id) });
      const running = await admin("POST", "/v1/admin/experiments", { name: "Greeting", itemId: item.body.id, botId: bot.body.id, goal: { kind: "node", nodeId: "signup" } });
      assert.equal(running.status, 201, running.text);
      // Version 2 drops the goal node: "yes" now says goodbye too.
      const flow = offerFlow(item.body.id);
      const v2 = { ...flow, nodes: flow.nodes.filter((n) => n.id !== "signup").map((n) => (n.id === "ask" ? { ...n, connections: { yes: "bye", no: "bye" } } : n)) };
      assert.equal((await admin("PUT", `/v1/admin/bots/${bot.body.id}/flow`, v2)).status, 200);
      assert.equal((await admin("POST", `/v1/admin/bots/${bot.body.id}/publish`)).body.version, 2);

      const results = await admin("GET", `/v1/admin/experiments/${running.body.id}`);
      assert.equal(results.status, 200);
      assert.equal(results.body.goalProblem.code, "EXPERIMENT_GOAL_NODE_DELETED");
      assert.match(results.body.goalProblem.message, /"signup" was deleted .* in version 2/);
      assert.equal((await admin("POST", `/v1/admin/experiments/${running.body.id}/stop`)).body.status, "stopped");

      const refused = await admin("POST", "/v1/admin/experiments", { name: "Again", itemId: item.body.id, botId: bot.body.id, goal: { kind: "node", nodeId: "signup" } });
      assert.deepEqual([refused.status, refused.body.error.code], [422, "EXPERIMENT_GOAL_NODE_DELETED"]);
      assert.match(refused.body.error.message, /version 2/);
      assert.deepEqual(refused.body.error.details, { nodeId: "signup", deletedInVersion: 2, lastVersionWithNode: 1, latestVersion: 2 });
    });
  });
}
