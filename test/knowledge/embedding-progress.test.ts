/**
 * A long document's progress while it is embedded: the source says it is embedding, how many of
 * its passages are done after each batch the embedder answers, then that it is ready. The
 * embedder holds each batch until the test lets it through, so every step can be looked at.
 */
import assert from "node:assert/strict";
import { waitFor } from "../kit/eventually.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { b64, tenantWithBot, type Tenant } from "./knowledge-test-kit.ts";

type SourceView = { status: string; progress: number; chunks: number; stage?: { name: string; done: number; total: number } };
// createEmbedderClient sends this many texts per call.
const BATCH = 256;

describe("knowledge embedding progress", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;

  before(async () => {
    node = await startTestPlatform({
      pluginFolders: ["plugins"],
      env: { PLUGINS: "./test/knowledge/fixtures/gated-embedder", KNOWLEDGE_EMBEDDER: "@test/gated-embedder", KNOWLEDGE_CHUNK_TOKENS: "40", KNOWLEDGE_CHUNK_OVERLAP_TOKENS: "0" },
    });
    ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
  });
  after(async () => {
    await release({ open: true }).catch(() => undefined);
    await node?.cleanup();
  });

  const release = (params: { calls?: number; open?: boolean }) => node.platform.broker.call("plugin.test.gated-embedder.release", params);
  const held = async () => (await node.platform.broker.call<{ held: number }, object>("plugin.test.gated-embedder.held", {})).held;
  /** Lets the next batch through once the embedder holds it (it may still be on its way). */
  const next = async () => {
    await waitFor("a batch held by the embedder", async () => (await held()) === 1);
    await release({ calls: 1 });
  };
  const read = async (sourceId: string) => (await node.request<SourceView>("GET", `/v1/admin/bots/${botId}/knowledge/${sourceId}`, { key: acme.keys.admin })).body;

  it("counts the passages embedded after each batch, then is ready", async () => {
    // Each paragraph is a passage of its own: together about three batches.
    const text = Array.from({ length: 700 }, (_, i) => `Shelf ${i} holds spare part number ${i * 7} for the harbour boats, kept dry and labelled by the crew.`).join("\n\n");
    const started = await node.request("POST", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin, body: { name: "parts.txt", contentBase64: b64(text) } });
    assert.equal(started.status, 202, started.text);
    const id = started.body.sourceId as string;

    await waitFor("the first batch held by the embedder", async () => (await held()) === 1);
    const first = await read(id);
    assert.equal(first.status, "processing");
    assert.equal(first.stage?.name, "embedding");
    assert.equal(first.stage?.done, 0);
    const total = first.stage!.total;
    assert.ok(total > 2 * BATCH && total <= 3 * BATCH, `three batches of passages (${total})`);
    assert.equal(first.progress, 0);

    const seen: SourceView[] = [];
    for (const done of [BATCH, 2 * BATCH]) {
      await next();
      const now = await waitFor(`${done} passages embedded`, async () => {
        const source = await read(id);
        return source.stage?.done === done ? source : undefined;
      });
      assert.deepEqual([now.status, now.stage], ["processing", { name: "embedding", done, total }]);
      assert.equal(now.progress, Math.round((done / total) * 95), "embedding is the first 95%");
      assert.equal(now.chunks, 0, "nothing is stored (nor searched) before the last batch");
      seen.push(now);
    }
    assert.ok(seen[1]!.progress > seen[0]!.progress);

    await next();
    const ready = await waitFor("the source ready", async () => {
      const source = await read(id);
      return source.status === "ready" ? source : undefined;
    }, 30_000);
    assert.equal(ready.progress, 100);
    assert.equal(ready.chunks, total);
    assert.equal(ready.stage, undefined, "a ready source has no stage");
  });

  it("starts a re-ingest's count from the passages whose embedding is kept", async () => {
    await release({ open: true });
    const text = (price: string) => Array.from({ length: 300 }, (_, i) => `Mooring ${i} costs ${i === 0 ? price : "ten"} euros a night, water and power included.`).join("\n\n");
    const first = await node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "moorings.txt", contentBase64: b64(text("twelve")) } });
    assert.equal(first.status, 201, first.text);
    await release({ open: false });

    const again = await node.request("POST", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin, body: { name: "moorings.txt", contentBase64: b64(text("fourteen")) } });
    assert.equal(again.status, 202, again.text);
    await waitFor("the changed passage held by the embedder", async () => (await held()) === 1);
    const now = await read(again.body.sourceId);
    assert.equal(now.stage?.name, "embedding");
    assert.equal(now.stage!.total, first.body.source.chunks);
    assert.equal(now.stage!.done, now.stage!.total - 1, "only the changed passage is left to embed");
    await release({ open: true });
    await waitFor("the re-ingest ready", async () => (await read(again.body.sourceId)).status === "ready", 30_000);
  });
});
