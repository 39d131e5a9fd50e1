import assert from "node:assert/strict";
import { waitFor } from "../kit/eventually.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { startFakeGemini, type FakeGemini } from "./fake-gemini-embeddings.ts";
import { startFakeOpenAi, type FakeOpenAi } from "./fake-openai-embeddings.ts";
import { b64, tenantWithBot, type Tenant } from "./knowledge-test-kit.ts";

describe("knowledge with a configured embedder plugin", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;

  before(async () => {
    // With TEST_REDIS_URL the query-embedding cache lives in Redis; without it, in memory.
    node = await startTestPlatform({
      pluginFolders: ["plugins"],
      redis: true,
      env: { PLUGINS: "./test/knowledge/fixtures/counting-embedder", KNOWLEDGE_EMBEDDER: "@test/counting-embedder", KNOWLEDGE_CHUNK_TOKENS: "40", KNOWLEDGE_CHUNK_OVERLAP_TOKENS: "0" },
    });
    ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
  });
  after(async () => node?.cleanup());

  const embedded = () => node.platform.broker.call<string[], Record<string, never>>("plugin.test.counting-embedder.embedded", {});
  const upload = (text: string) => node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "guide.md", contentBase64: b64(text) } });
  const guide = (delivery: string) => `# Opening hours\n\nThe shop opens at nine and closes at six.\n\n# Delivery\n\n${delivery}\n\n# Payment\n\nWe take cards and bank transfers.`;

  it("embeds through the configured plugin, and a re-ingest embeds only the passages that changed", async () => {
    await embedded();
    const first = await upload(guide("Delivery takes two days."));
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.source.chunks, 3);
    assert.equal((await embedded()).length, 3, "every passage is embedded the first time");

    const second = await upload(guide("Delivery now takes one day."));
    assert.equal(second.status, 200);
    assert.deepEqual(await embedded(), ["Delivery\nDelivery now takes one day."], "only the changed passage costs a call");

    const search = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent("how long is delivery")}`, { key: acme.keys.admin });
    assert.match(search.body.passages[0].text, /one day/);
    assert.deepEqual(await embedded(), ["how long is delivery"], "the question is embedded by the same plugin");
    const again = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent("how long is delivery")}`, { key: acme.keys.admin });
    assert.deepEqual(again.body.passages, search.body.passages);
    assert.deepEqual(await embedded(), [], "the same question again reuses its cached embedding");
  });
});

describe("knowledge with OpenAI embeddings (the real SDK against a local fake)", function () {
  this.timeout(60_000);
  const apiKey = "sk-test-embeddings-key-0123456789";
  let fake: FakeOpenAi;
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;

  before(async () => {
    fake = await startFakeOpenAi(apiKey);
    node = await startTestPlatform({
      pluginFolders: ["plugins"],
      env: { KNOWLEDGE_EMBEDDER: "@platform/embedder-openai", KNOWLEDGE_EMBEDDING_MODEL: "text-embedding-3-small", OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: fake.baseUrl },
    });
    ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
  });
  after(async () => {
    await node?.cleanup();
    await fake?.close();
  });

  it("embeds passages and questions with the configured model at 384 dimensions", async () => {
    const added = await node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "care.txt", contentBase64: b64("Wash the linen at forty degrees and dry it flat.") } });
    assert.equal(added.status, 201, added.text);
    const search = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent("how to wash linen")}`, { key: acme.keys.admin });
    assert.match(search.body.passages[0].text, /forty degrees/);
    assert.deepEqual(fake.requests.map((r) => [r.auth, r.body.model, r.body.dimensions, r.body.encoding_format]), [
      [`Bearer ${apiKey}`, "text-embedding-3-small", 384, "float"],
      [`Bearer ${apiKey}`, "text-embedding-3-small", 384, "float"],
    ]);
    assert.deepEqual(fake.requests[1]!.body.input, ["how to wash linen"]);
  });

  it("answers a coded error when the provider fails, without the key or a stack", async () => {
    fake.failWith = 503;
    const added = await node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "other.txt", contentBase64: b64("Another document.") } });
    fake.failWith = undefined;
    assert.deepEqual([added.status, added.body.error.code], [503, "EMBEDDER_UNAVAILABLE"]);
    assert.ok(!added.text.includes(apiKey) && !/at .*\.ts:\d+/.test(added.text));
    const listed = await node.request("GET", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin });
    assert.deepEqual(listed.body.sources.map((s: { name: string }) => s.name), ["care.txt"], "the failed source is not kept");
  });

  it("shows a provider failure in the background on the source, with its code and no key", async () => {
    fake.failWith = 503;
    try {
      const accepted = await node.request("POST", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin, body: { name: "later.txt", contentBase64: b64("A document embedded after the answer.") } });
      assert.equal(accepted.status, 202, accepted.text);
      const failed = await waitFor("the source to fail", async () => {
        const source = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/${accepted.body.sourceId}`, { key: acme.keys.admin });
        return source.body.status === "processing" ? undefined : source;
      });
      assert.deepEqual([failed.body.status, failed.body.error.code], ["failed", "EMBEDDER_UNAVAILABLE"]);
      assert.ok(!failed.text.includes(apiKey));
    } finally {
      fake.failWith = undefined;
    }
  });
});

describe("knowledge with Gemini embeddings (the real SDK against a local fake)", function () {
  this.timeout(60_000);
  const apiKey = "gemini-test-embeddings-key-0123";
  let fake: FakeGemini;
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;

  before(async () => {
    fake = await startFakeGemini(apiKey);
    node = await startTestPlatform({
      pluginFolders: ["plugins"],
      env: { KNOWLEDGE_EMBEDDER: "@platform/embedder-gemini", GEMINI_API_KEY: apiKey, GEMINI_BASE_URL: fake.baseUrl },
    });
    ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
  });
  after(async () => {
    await node?.cleanup();
    await fake?.close();
  });

  it("embeds passages and questions at 384 dimensions, normalised, and finds the passage", async () => {
    const added = await node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "care.txt", contentBase64: b64("Wash the linen at forty degrees and dry it flat.") } });
    assert.equal(added.status, 201, added.text);
    const search = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent("how to wash linen")}`, { key: acme.keys.admin });
    assert.match(search.body.passages[0].text, /forty degrees/);
    assert.ok(search.body.passages[0].score <= 1, "scores stay within cosine range");
    assert.deepEqual(fake.requests.map((r) => [r.key, r.path.replace("/v1beta/", "/v1/"), r.body.requests[0]!.outputDimensionality]), [
      [apiKey, "/v1/models/gemini-embedding-001:batchEmbedContents", 384],
      [apiKey, "/v1/models/gemini-embedding-001:batchEmbedContents", 384],
    ]);
    assert.equal(fake.requests[1]!.body.requests[0]!.content.parts[0]!.text, "how to wash linen");
  });

  it("answers a coded error when Gemini fails, without the key or a stack", async () => {
    fake.failWith = 503;
    const added = await node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "other.txt", contentBase64: b64("Another document.") } });
    fake.failWith = undefined;
    assert.deepEqual([added.status, added.body.error.code], [503, "EMBEDDER_UNAVAILABLE"]);
    assert.ok(!added.text.includes(apiKey) && !/at .*\.ts:\d+/.test(added.text));
  });
});
