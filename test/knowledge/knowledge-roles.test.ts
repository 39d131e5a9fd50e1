/**
 * Who may change a bot's knowledge, as the API enforces it for people signed in with a cookie:
 * editors and above add, search, re-ingest and delete; a viewer (or an agent) reads the sources
 * and is refused the rest with 403, whatever the console shows.
 */
import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { memberWithRole, tenantWithOwner, type Browser } from "../people/people-kit.ts";
import { b64 } from "./knowledge-test-kit.ts";

const flow = { start: "end", nodes: [{ id: "end", type: "end", content: {} }] };

describe("knowledge: roles", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let botId: string;
  let sourceId: string;
  const people: Record<"editor" | "agent" | "viewer", Browser> = {} as never;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"] });
    const acme = await tenantWithOwner(node, "Acme", "owner@acme.test");
    for (const role of ["editor", "agent", "viewer"] as const) people[role] = await memberWithRole(node, acme.owner, `${role}@acme.test`, role);
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Helper", flow } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
  });
  after(async () => node?.cleanup());

  it("lets an editor add, search, re-ingest and delete a source", async () => {
    const { editor } = people;
    const added = await editor.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { body: { name: "hours.txt", contentBase64: b64("The shop opens at nine every morning.") } });
    assert.equal(added.status, 201, added.text);
    sourceId = added.body.sourceId;
    const search = await editor.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent("when does the shop open")}`);
    assert.equal(search.status, 200, search.text);
    assert.equal(search.body.passages[0].citation, "hours.txt");
    assert.equal((await editor.request("POST", `/v1/admin/bots/${botId}/knowledge/${sourceId}/reingest?wait=true`)).status, 200);
    const extra = await editor.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { body: { name: "extra.txt", contentBase64: b64("Parking is free on Sundays.") } });
    assert.equal((await editor.request("DELETE", `/v1/admin/bots/${botId}/knowledge/${extra.body.sourceId}`)).status, 204);
  });

  for (const role of ["viewer", "agent"] as const) {
    it(`lets ${role === "agent" ? "an agent" : "a viewer"} read the sources and refuses every change with 403`, async () => {
      const person = people[role];
      const list = await person.request("GET", `/v1/admin/bots/${botId}/knowledge`);
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body.sources.map((s: { name: string }) => s.name), ["hours.txt"]);
      assert.equal((await person.request("GET", `/v1/admin/bots/${botId}/knowledge/${sourceId}`)).status, 200);

      const refused = [
        await person.request("POST", `/v1/admin/bots/${botId}/knowledge`, { body: { name: "mine.txt", contentBase64: b64("Nope.") } }),
        await person.request("POST", `/v1/admin/bots/${botId}/knowledge`, { body: { url: "https://example.com/" } }),
        await person.request("POST", `/v1/admin/bots/${botId}/knowledge/${sourceId}/reingest`),
        await person.request("DELETE", `/v1/admin/bots/${botId}/knowledge/${sourceId}`),
        await person.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=hours`),
      ];
      assert.deepEqual(refused.map((r) => [r.status, r.body?.error?.code]), Array(5).fill([403, "ROLE_FORBIDDEN"]));
      const after = await person.request("GET", `/v1/admin/bots/${botId}/knowledge`);
      assert.deepEqual(after.body.sources.map((s: { name: string; status: string }) => [s.name, s.status]), [["hours.txt", "ready"]], "nothing changed");
    });
  }
});
