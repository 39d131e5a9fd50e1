import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { b64, tenantWithBot, type Tenant } from "./knowledge-test-kit.ts";
import { heldOutQuestions, retrievalQuestions } from "./retrieval-questions.ts";

/**
 * Retrieval quality, end to end: a small shop's help centre (fixtures/corpus, 56 passages in
 * seven Markdown documents) is uploaded through the admin API, and customers' questions in their
 * own words are asked through the search route with the offline embedder and hybrid search. The
 * passage that answers each question must be in the top 5 for at least 90% of them.
 *
 * A second tenant holds the same help centre under another name, so its passages would score
 * just as well as tenant A's: every result tenant A gets must still be its own.
 */
type Passage = { text: string; heading?: string; source: { id: string; name: string }; score: number };

const CORPUS = join(import.meta.dirname, "fixtures", "corpus");
const TOP = 5;
const TARGET_HIT_RATE = 0.9;
const documents = readdirSync(CORPUS).filter((f) => f.endsWith(".md")).sort().map((name) => ({ name, text: readFileSync(join(CORPUS, name), "utf8") }));
/** Tenant B's copy: the same help centre under its own name, every passage marked as B's. */
const B_MARK = "Brightwater Homes help centre.";
const tenantBCopy = (text: string) => text.replaceAll("Larkspur", "Brightwater").replace(/^(## .+)$/gm, `$1\n\n${B_MARK}`);
const passagesOf = (text: string) => text.split(/^## /m).slice(1);
const flat = (text: string) => text.replace(/\s+/g, " ");
const allQuestions = [...retrievalQuestions.map((q) => ({ ...q, heldOut: false })), ...heldOutQuestions.map((q) => ({ ...q, heldOut: true }))];

describe("retrieval questions", () => {
  it("name exactly one passage of the help centre each, and there are at least 30 of them over at least 40 passages", () => {
    const passages = documents.flatMap((d) => passagesOf(d.text).map(flat));
    assert.ok(passages.length >= 40, `${passages.length} passages`);
    assert.ok(allQuestions.length >= 30, `${allQuestions.length} questions`);
    for (const { question, expect } of allQuestions) {
      const holders = passages.filter((p) => p.includes(expect));
      assert.equal(holders.length, 1, `"${expect}" (for "${question}") is in ${holders.length} passages`);
      assert.ok(!flat(question).toLowerCase().includes(expect.toLowerCase()), `"${question}" copies its passage`);
    }
  });
});

for (const backend of databaseBackends()) {
  describe(`knowledge retrieval quality (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let a: { tenant: Tenant; botId: string };
    let b: { tenant: Tenant; botId: string };
    const sourcesOf = { a: new Set<string>(), b: new Set<string>() };
    /** Every passage tenant A's questions retrieved, for the isolation check. */
    const retrievedByA: Passage[] = [];

    async function ingest(owner: { tenant: Tenant; botId: string }, name: string, text: string): Promise<{ id: string; chunks: number }> {
      const path = `/v1/admin/bots/${owner.botId}/knowledge`;
      const added = await node.request("POST", path, { key: owner.tenant.keys.admin, body: { name, contentBase64: b64(text) } });
      assert.ok([200, 201, 202].includes(added.status), added.text);
      let source = added.body.source as { id: string; status: string; chunks: number };
      // The answer is 202 while the passages are embedded in the background: poll the source.
      for (let tries = 0; source.status === "processing" && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        source = (await node.request("GET", `${path}/${source.id}`, { key: owner.tenant.keys.admin })).body;
      }
      assert.equal(source.status, "ready", `${name}: ${JSON.stringify(source)}`);
      return source;
    }

    const search = async (owner: { tenant: Tenant; botId: string }, q: string): Promise<Passage[]> => {
      const answer = await node.request("GET", `/v1/admin/bots/${owner.botId}/knowledge/search?q=${encodeURIComponent(q)}&limit=${TOP}`, { key: owner.tenant.keys.admin });
      assert.equal(answer.status, 200, answer.text);
      return answer.body.passages;
    };

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"], env: { RATE_LIMIT_FREE_PER_MINUTE: "100000" } });
      a = await tenantWithBot(node, "Larkspur");
      b = await tenantWithBot(node, "Brightwater");
      let chunks = 0;
      for (const doc of documents) {
        const mine = await ingest(a, doc.name, doc.text);
        sourcesOf.a.add(mine.id);
        chunks += mine.chunks;
        sourcesOf.b.add((await ingest(b, doc.name, tenantBCopy(doc.text))).id);
      }
      assert.ok(chunks >= 40, `the help centre is ${chunks} passages`);
    });
    after(async () => {
      await node?.cleanup();
    });

    it(`finds the passage that answers a customer's question in the top ${TOP} for at least ${TARGET_HIT_RATE * 100}% of questions`, async () => {
      const misses: string[] = [];
      const hits = { tuned: 0, heldOut: 0 };
      for (const { question, expect, heldOut } of allQuestions) {
        const passages = await search(a, question);
        retrievedByA.push(...passages);
        const rank = passages.findIndex((p) => flat(p.text).includes(expect));
        if (rank >= 0) hits[heldOut ? "heldOut" : "tuned"]++;
        else misses.push(`  "${question}" → wanted "${expect}", got ${passages.map((p) => `[${p.heading ?? p.text.slice(0, 40)}]`).join(" ")}`);
      }
      const hitRate = (hits.tuned + hits.heldOut) / allQuestions.length;
      console.log(`      ${backend}: hit rate @${TOP} ${hitRate.toFixed(3)} (${hits.tuned + hits.heldOut}/${allQuestions.length}; questions used while tuning ${hits.tuned}/${retrievalQuestions.length}, held out ${hits.heldOut}/${heldOutQuestions.length})`);
      if (misses.length && process.env.RETRIEVAL_MISSES) console.log(misses.join("\n"));
      assert.ok(hitRate >= TARGET_HIT_RATE, `hit rate ${hitRate.toFixed(3)} is below ${TARGET_HIT_RATE}; missed:\n${misses.join("\n")}`);
    });

    it("never answers tenant A's questions with tenant B's copy of the same passages", async () => {
      assert.ok(retrievedByA.length >= allQuestions.length, "tenant A's questions retrieved passages");
      for (const passage of retrievedByA) {
        assert.ok(sourcesOf.a.has(passage.source.id), `a passage from source ${passage.source.id} (${passage.source.name}) is not tenant A's`);
        assert.ok(!passage.text.includes(B_MARK) && !passage.text.includes("Brightwater"), `tenant B's text reached tenant A: ${passage.text.slice(0, 80)}`);
      }
      // The copy is there and ranks as well for its own tenant: the filter, not luck, kept it out.
      const sample = retrievalQuestions.slice(0, 10);
      for (const { question } of sample) {
        const own = await search(b, question);
        assert.ok(own.every((p) => sourcesOf.b.has(p.source.id)), `tenant B got only its own passages for "${question}"`);
        assert.ok(own.length > 0, `tenant B finds its copy for "${question}"`);
      }
      // Tenant A naming tenant B's bot, through the API or the broker action, gets nothing.
      const foreign = await node.request("GET", `/v1/admin/bots/${b.botId}/knowledge/search?q=${encodeURIComponent(sample[0]!.question)}`, { key: a.tenant.keys.admin });
      assert.deepEqual([foreign.status, foreign.body.error.code], [404, "BOT_NOT_FOUND"]);
      for (const { question } of sample) {
        assert.deepEqual(await node.platform.broker.call("knowledge.search", { tenantId: a.tenant.id, botId: b.botId, query: question, limit: TOP }), []);
      }
    });
  });
}
