import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { databaseBackends } from "../kit/test-services.ts";

const flowSaying = (text: string) => ({ start: "m", nodes: [{ id: "m", type: "message", content: { messages: [{ type: "text", text }] }, connections: { default: "e" } }, { id: "e", type: "end", content: {} }] });

for (const backend of databaseBackends()) {
  describe(`drafts saved on top of a revision (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let key: string;
    before(async () => {
      node = await startTestPlatform({ backend });
      key = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } })).body.keys.admin;
    });
    after(async () => node?.cleanup());

    it("refuses the second of two editors who loaded the same revision, and keeps the first one's draft", async () => {
      const bot = (await node.request("POST", "/v1/admin/bots", { key, body: { name: "Shared", flow: flowSaying("v1") } })).body;
      const loaded = await node.request("GET", `/v1/admin/bots/${bot.id}`, { key });
      const base = loaded.body.draftRevision as number;
      const alice = await node.request("PUT", `/v1/admin/bots/${bot.id}/flow`, { key, body: flowSaying("Alice's"), headers: { "if-match": `"${base}"` } });
      assert.deepEqual([alice.status, alice.body.draftRevision], [200, base + 1]);
      const bob = await node.request("PUT", `/v1/admin/bots/${bot.id}/flow`, { key, body: flowSaying("Bob's"), headers: { "if-match": `"${base}"` } });
      assert.equal(bob.status, 409, bob.text);
      assert.equal(bob.body.error.code, "DRAFT_CONFLICT");
      assert.match(bob.body.error.message, new RegExp(`revision ${base + 1}`));
      assert.equal(bob.body.error.details.draftRevision, base + 1);
      const kept = await node.request("GET", `/v1/admin/bots/${bot.id}`, { key });
      assert.equal(kept.body.draftFlow.nodes[0].content.messages[0].text, "Alice's", "Bob's save changed nothing");
      // Bob chose to keep his: he saves on top of the revision he was told about.
      const overwrite = await node.request("PUT", `/v1/admin/bots/${bot.id}/flow`, { key, body: flowSaying("Bob's"), headers: { "if-match": `"${base + 1}"` } });
      assert.deepEqual([overwrite.status, overwrite.body.draftRevision], [200, base + 2]);
      // Without If-Match a save goes through (scripts and older clients).
      assert.equal((await node.request("PUT", `/v1/admin/bots/${bot.id}/flow`, { key, body: flowSaying("script") })).status, 200);
      const malformed = await node.request("PUT", `/v1/admin/bots/${bot.id}/flow`, { key, body: flowSaying("x"), headers: { "if-match": "yesterday" } });
      assert.equal(malformed.status, 400);
    });
  });
}
