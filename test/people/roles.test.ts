import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { memberWithRole, tenantWithOwner, type Browser } from "./people-kit.ts";

const flow = {
  start: "hello",
  nodes: [
    { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Hello!" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ],
};

for (const backend of databaseBackends()) {
  describe(`people: roles, for cookies and keys alike (${backend})`, function () {
    this.timeout(180_000);
    let node: TestPlatform;
    let acme: Awaited<ReturnType<typeof tenantWithOwner>>;
    let botId: string;
    const people: Record<"admin" | "editor" | "agent" | "viewer", Browser> = {} as never;

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"] });
      acme = await tenantWithOwner(node, "Acme", "owner@acme.test");
      for (const role of ["admin", "editor", "agent", "viewer"] as const) people[role] = await memberWithRole(node, acme.owner, `${role}@acme.test`, role);
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Greeter", flow } });
      assert.equal(bot.status, 201, bot.text);
      botId = bot.body.id;
    });
    after(async () => node?.cleanup());

    it("lets a viewer read bots, versions and usage, but not save a flow (403 ROLE_FORBIDDEN)", async () => {
      const { viewer } = people;
      assert.equal((await viewer.request("GET", "/v1/admin/bots")).status, 200);
      assert.equal((await viewer.request("GET", `/v1/admin/bots/${botId}/versions`)).status, 200);
      assert.equal((await viewer.request("GET", "/v1/admin/usage")).status, 200);
      const save = await viewer.request("PUT", `/v1/admin/bots/${botId}/flow`, { body: flow });
      assert.deepEqual([save.status, save.body.error.code], [403, "ROLE_FORBIDDEN"]);
      assert.match(save.body.error.message, /editor/);
    });

    it("lets an agent read a bot but not publish it or make one (403)", async () => {
      const { agent } = people;
      assert.equal((await agent.request("GET", `/v1/admin/bots/${botId}`)).status, 200);
      const publish = await agent.request("POST", `/v1/admin/bots/${botId}/publish`);
      assert.deepEqual([publish.status, publish.body.error.code], [403, "ROLE_FORBIDDEN"]);
      const create = await agent.request("POST", "/v1/admin/bots", { body: { name: "Nope", flow } });
      assert.equal(create.status, 403);
    });

    it("lets an editor save a draft and publish it, but not manage members, secrets or channels", async () => {
      const { editor } = people;
      const saved = await editor.request("PUT", `/v1/admin/bots/${botId}/flow`, { body: flow });
      assert.equal(saved.status, 200, saved.text);
      const published = await editor.request("POST", `/v1/admin/bots/${botId}/publish`);
      assert.equal(published.status, 201, published.text);
      assert.equal((await editor.request("GET", "/v1/admin/members")).status, 403);
      assert.equal((await editor.request("PUT", "/v1/admin/secrets/api_token", { body: { value: "x" } })).status, 403);
      assert.equal((await editor.request("GET", "/v1/admin/webhooks")).status, 403);
      assert.equal((await editor.request("GET", `/v1/admin/tenants/${acme.id}/keys`)).status, 403);
    });

    it("lets an admin manage members and keys, but only the owner deletes the tenant", async () => {
      const { admin } = people;
      assert.equal((await admin.request("GET", "/v1/admin/members")).status, 200);
      assert.equal((await admin.request("GET", `/v1/admin/tenants/${acme.id}/keys`)).status, 200);
      assert.equal((await admin.request("GET", "/v1/admin/webhooks")).status, 200);
      const adminDelete = await admin.request("DELETE", `/v1/admin/tenants/${acme.id}`);
      assert.deepEqual([adminDelete.status, adminDelete.body.error.code], [403, "ROLE_FORBIDDEN"]);
      const keyDelete = await node.request("DELETE", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin });
      assert.deepEqual([keyDelete.status, keyDelete.body.error.code], [403, "ROLE_FORBIDDEN"], "an sk_ key is role admin");
      const operatorOnly = await admin.request("GET", "/v1/admin/tenants");
      assert.equal(operatorOnly.status, 403);
    });

    it("keeps an sk_ key working as role admin on the tenant's routes", async () => {
      const key = acme.keys.admin;
      assert.equal((await node.request("GET", "/v1/admin/members", { key })).status, 200);
      assert.equal((await node.request("PUT", `/v1/admin/bots/${botId}/flow`, { key, body: flow })).status, 200);
      assert.equal((await node.request("POST", `/v1/admin/bots/${botId}/publish`, { key })).status, 201);
      assert.equal((await node.request("GET", "/v1/admin/secrets", { key })).status, 200);
    });

    it("issues keys with a lesser role for machines, checked by the same table", async () => {
      const issued = await acme.owner.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { body: { kind: "admin", role: "viewer" } });
      assert.deepEqual([issued.status, issued.body.role], [201, "viewer"]);
      const reader = issued.body.key;
      assert.equal((await node.request("GET", "/v1/admin/bots", { key: reader })).status, 200);
      const save = await node.request("PUT", `/v1/admin/bots/${botId}/flow`, { key: reader, body: flow });
      assert.deepEqual([save.status, save.body.error.code], [403, "ROLE_FORBIDDEN"]);
      assert.equal((await node.request("GET", "/v1/admin/members", { key: acme.keys.admin })).status, 200, "a viewer key leaves the admin key alone");
      const listed = (await node.request("GET", `/v1/admin/tenants/${acme.id}/keys`, { key: acme.keys.admin })).body.keys;
      assert.ok(listed.some((k: { kind: string; role?: string; revokedAt: string | null }) => k.kind === "admin" && k.role === "viewer" && k.revokedAt === null));
      const tooHigh = await people.admin.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { body: { kind: "admin", role: "owner" } });
      assert.deepEqual([tooHigh.status, tooHigh.body.error.code], [403, "ROLE_TOO_HIGH"]);
    });

    it("lets the owner delete the tenant, after which its members' sessions act nowhere", async () => {
      const doomed = await tenantWithOwner(node, "Doomed", "owner@doomed.test");
      const deleted = await doomed.owner.request("DELETE", `/v1/admin/tenants/${doomed.id}`);
      assert.equal(deleted.status, 204);
      assert.equal((await node.request("GET", "/v1/admin/tenant", { key: doomed.keys.admin })).status, 401);
      assert.equal((await doomed.owner.request("GET", "/v1/admin/tenant")).status, 403);
      const otherOwner = await acme.owner.request("DELETE", `/v1/admin/tenants/${doomed.id}`);
      assert.equal(otherOwner.status, 404, "another tenant's id looks missing");
    });
  });
}
