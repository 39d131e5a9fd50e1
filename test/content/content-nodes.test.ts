import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { eventually } from "../kit/eventually.ts";

type Keys = { id: string; keys: { admin: string; widget: string } };
type VariantResult = { variantId: string; impressions: number; conversions: number };

for (const backend of databaseBackends()) {
  describe(`message and question nodes that show library content (${backend})`, function () {
    this.timeout(120_000);
    let node: TestPlatform;
    let acme: Keys;
    let botId: string;
    const items: Record<string, string> = {};

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"] });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      const add = async (key: string, body: Record<string, unknown>) => {
        const created = await admin("POST", "/v1/admin/content", body);
        assert.equal(created.status, 201, created.text);
        items[key] = created.body.id;
      };
      const text = (t: string) => [{ type: "text", text: t }];
      await add("askEn", { type: "prompt", name: "Ask name (en)", tags: ["ask-name"], locale: "en", variants: [{ messages: [{ type: "image", url: "https://example.com/wave.png", alt: "A wave" }, ...text("What's your name?")] }] });
      await add("askDe", { type: "prompt", name: "Ask name (de)", tags: ["ask-name"], locale: "de", variants: [{ messages: text("Wie heißt du?") }] });
      await add("joke", { type: "joke", name: "Joke", variants: [{ id: "pun", messages: text("Pun, {{context.locale}}") }, { id: "dad", messages: text("Dad joke, {{context.locale}}") }] });
      await add("fact", { type: "fact", name: "Fact", variants: [{ id: "short", messages: text("Short fact") }, { id: "long", messages: text("A longer fact") }] });
      const flow = {
        start: "joke",
        nodes: [
          { id: "joke", type: "message", content: { contentId: items.joke }, connections: { default: "fact" } },
          { id: "fact", type: "message", content: { contentId: items.fact }, connections: { default: "ask" } },
          { id: "ask", type: "question", content: { contentTag: "ask-name", fallbackLocale: "en", variable: "user.name" }, connections: { default: "track" } },
          { id: "track", type: "action", content: { actions: [{ op: "track", event: "named" }] }, connections: { default: "bye" } },
          { id: "bye", type: "message", content: { messages: [{ type: "text", text: "Bye {{user.name}}" }] } },
        ],
      };
      const bot = await admin("POST", "/v1/admin/bots", { name: "Library", flow });
      assert.equal(bot.status, 201, bot.text);
      botId = bot.body.id;
    });
    after(async () => node?.cleanup());

    const admin = (method: string, path: string, body?: unknown) => node.request(method, path, { key: acme.keys.admin, ...(body === undefined ? {} : { body }) });
    const start = (userId: string, locale?: string) => node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId, userId, ...(locale ? { context: { locale } } : {}) } });
    const texts = (messages: { type: string; text?: string; alt?: string }[]) => messages.map((m) => m.text ?? m.alt);

    it("asks the question from a random item of the tag in the user's locale, falling back to English, and renders templates in items", async () => {
      const de = await start("anna", "de");
      assert.equal(de.status, 201, de.text);
      assert.equal(texts(de.body.messages).at(-1), "Wie heißt du?");
      assert.match(texts(de.body.messages)[0]!, /^(Pun|Dad joke), de$/);
      const austrian = await start("bernd", "de-AT");
      assert.equal(texts(austrian.body.messages).at(-1), "Wie heißt du?", "de-AT finds the German item");
      const french = await start("chloé", "fr");
      assert.deepEqual(texts(french.body.messages).slice(-2), ["A wave", "What's your name?"], "no French item: the English one, image and all");
      assert.deepEqual(french.body.input, { type: "text" });
      const answered = await node.request("POST", `/v1/chat/sessions/${french.body.sessionId}/messages`, { key: acme.keys.widget, body: { text: "Chloé" } });
      assert.deepEqual(texts(answered.body.messages), ["Bye Chloé"]);
    });

    it("counts a variable goal and a custom event goal for the users who reached them", async () => {
      const byVariable = await admin("POST", "/v1/admin/experiments", { name: "Jokes", itemId: items.joke, botId, goal: { kind: "variable", variable: "user.name" } });
      const byEvent = await admin("POST", "/v1/admin/experiments", { name: "Facts", itemId: items.fact, botId, goal: { kind: "event", event: "named" } });
      assert.equal(byVariable.status, 201, byVariable.text);
      assert.equal(byEvent.status, 201, byEvent.text);
      // The console's test panel runs a draft snapshot: its sessions are no audience and are not counted.
      const tried = await admin("POST", `/v1/admin/bots/${botId}/test-sessions`, {});
      assert.equal(tried.status, 201, tried.text);
      assert.match(tried.body.messages[0].text, /^(Pun|Dad joke)/);
      const shown = { joke: new Map<string, number>(), fact: new Map<string, number>() };
      const named = { joke: new Map<string, number>(), fact: new Map<string, number>() };
      const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
      for (let i = 0; i < 12; i++) {
        const started = await start(`visitor-${i}`, "en");
        const [joke, fact] = texts(started.body.messages);
        const jokeVariant = joke!.startsWith("Pun") ? "pun" : "dad";
        const factVariant = fact === "Short fact" ? "short" : "long";
        bump(shown.joke, jokeVariant);
        bump(shown.fact, factVariant);
        // Two thirds give their name (the variable is set, then `named` is tracked); the rest leave.
        if (i % 3 !== 2) {
          await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: acme.keys.widget, body: { text: `Visitor ${i}` } });
          bump(named.joke, jokeVariant);
          bump(named.fact, factVariant);
        }
      }
      for (const [experiment, key] of [[byVariable.body.id, "joke"], [byEvent.body.id, "fact"]] as const) {
        const results = await eventually(
          async () => (await admin("GET", `/v1/admin/experiments/${experiment}`)).body,
          (body) => body.variants.reduce((n: number, v: VariantResult) => n + v.conversions, 0) === 8 && body.variants.reduce((n: number, v: VariantResult) => n + v.impressions, 0) === 12,
          15_000,
        );
        for (const v of results.variants as VariantResult[]) {
          assert.equal(v.impressions, shown[key].get(v.variantId) ?? 0, `${key} ${v.variantId} impressions`);
          assert.equal(v.conversions, named[key].get(v.variantId) ?? 0, `${key} ${v.variantId} conversions`);
        }
      }
    });

    it("refuses at publish an item or tag the library lacks, on its node; a tag emptied later turns into a polite message", async () => {
      const missing = { start: "m", nodes: [
        { id: "m", type: "message", content: { contentTag: "nothing-here" }, connections: { default: "n" } },
        { id: "n", type: "message", content: { contentId: "00000000-0000-4000-8000-000000000000" } },
      ] };
      const refusedAtCreate = await admin("POST", "/v1/admin/bots", { name: "Empty tag", flow: missing });
      assert.deepEqual([refusedAtCreate.status, refusedAtCreate.body.error.code], [422, "FLOW_INVALID"]);
      assert.deepEqual(refusedAtCreate.body.error.details.map((d: { node: string }) => d.node).sort(), ["m", "n"]);
      assert.match(JSON.stringify(refusedAtCreate.body.error.details), /no content library item carries the tag \\"nothing-here\\"/);

      // A draft may name what is not there yet; publishing it is refused until it is.
      const fleeting = await admin("POST", "/v1/admin/content", { type: "fact", name: "Fleeting", tags: ["fleeting"], variants: [{ messages: [{ type: "text", text: "Here today" }] }] });
      const flow = { start: "m", nodes: [{ id: "m", type: "message", content: { contentTag: "fleeting" } }] };
      const bot = await admin("POST", "/v1/admin/bots", { name: "Fleeting tag", flow });
      assert.equal(bot.status, 201, bot.text);
      assert.equal((await admin("PUT", `/v1/admin/bots/${bot.body.id}/flow`, missing)).status, 200);
      const refusedAtPublish = await admin("POST", `/v1/admin/bots/${bot.body.id}/publish`, {});
      assert.deepEqual([refusedAtPublish.status, refusedAtPublish.body.error.code], [422, "FLOW_INVALID"]);

      assert.equal((await admin("DELETE", `/v1/admin/content/${fleeting.body.id}`)).status, 204);
      const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId: bot.body.id } });
      assert.equal(started.status, 201);
      assert.match(started.body.messages[0].text, /something went wrong/i);
      const both = { start: "m", nodes: [{ id: "m", type: "message", content: { contentId: items.fact, messages: [{ type: "text", text: "inline" }] } }] };
      const refused = await admin("POST", "/v1/admin/bots", { name: "Both", flow: both });
      assert.deepEqual([refused.status, refused.body.error.code], [422, "FLOW_INVALID"]);
      assert.match(JSON.stringify(refused.body.error.details), /only one of `messages`, `contentId` and `contentTag`/);
    });
  });
}
