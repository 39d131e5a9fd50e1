import assert from "node:assert/strict";
import { withTenantScope } from "../../core/kernel/persistence/tenant-scope.ts";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { browser, memberWithRole, tenantWithOwner, tokenOf } from "./people-kit.ts";

for (const backend of databaseBackends()) {
  describe(`people: members and invites (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let acme: Awaited<ReturnType<typeof tenantWithOwner>>;
    let globex: Awaited<ReturnType<typeof tenantWithOwner>>;

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: [] });
      acme = await tenantWithOwner(node, "Acme", "owner@acme.test");
      globex = await tenantWithOwner(node, "Globex", "owner@globex.test");
    });
    after(async () => node?.cleanup());

    it("invites by email: the link is answered and logged, and accepting it joins with the invited role", async () => {
      const invited = await acme.owner.request("POST", "/v1/admin/invites", { body: { email: "Eve@Acme.test", role: "editor" } });
      assert.equal(invited.status, 201);
      assert.equal(invited.body.mailed, false, "no mail transport is configured");
      assert.match(invited.body.link, /\/console\/#\/accept-invite\?token=[\w-]{43}$/);
      assert.deepEqual([invited.body.invite.email, invited.body.invite.role], ["eve@acme.test", "editor"]);
      const outbox = await node.platform.broker.call<{ to: string; link: string }[]>("people.outbox");
      assert.ok(outbox.some((m) => m.to === "eve@acme.test" && m.link === invited.body.link), "the message with its link is kept where no transport sends it");
      const open = await acme.owner.request("GET", "/v1/admin/invites");
      assert.ok(open.body.invites.some((i: { email: string }) => i.email === "eve@acme.test"));

      const eve = browser(node);
      const noPassword = await eve.request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link) } });
      assert.deepEqual([noPassword.status, noPassword.body.error.code], [400, "PASSWORD_REQUIRED"]);
      const accepted = await eve.request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link), password: "eve's long password", name: "Eve" } });
      assert.equal(accepted.status, 201);
      assert.deepEqual(accepted.body.memberships.map((m: { tenantName: string; role: string }) => [m.tenantName, m.role]), [["Acme", "editor"]]);
      const members = (await acme.owner.request("GET", "/v1/admin/members")).body.members;
      assert.deepEqual(members.map((m: { email: string; role: string }) => [m.email, m.role]), [["owner@acme.test", "owner"], ["eve@acme.test", "editor"]]);
      assert.ok(!(await acme.owner.request("GET", "/v1/admin/invites")).body.invites.some((i: { email: string }) => i.email === "eve@acme.test"));

      const reused = await browser(node).request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link), password: "someone else's password" } });
      assert.deepEqual([reused.status, reused.body.error.code], [400, "INVITE_INVALID"]);
    });

    it("refuses an expired invite, and a withdrawn one", async () => {
      const invited = await acme.owner.request("POST", "/v1/admin/invites", { body: { email: "late@acme.test", role: "viewer" } });
      await node.platform.context.db.orm.em.fork().getConnection().execute(`update invite set expires_at = now() - interval '1 minute' where id = ?`, [invited.body.invite.id]);
      const expired = await browser(node).request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link), password: "a long enough password" } });
      assert.deepEqual([expired.status, expired.body.error.code], [400, "INVITE_INVALID"]);
      const withdrawn = await acme.owner.request("POST", "/v1/admin/invites", { body: { email: "gone@acme.test", role: "viewer" } });
      assert.equal((await acme.owner.request("DELETE", `/v1/admin/invites/${withdrawn.body.invite.id}`)).status, 204);
      const refused = await browser(node).request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(withdrawn.body.link), password: "a long enough password" } });
      assert.deepEqual([refused.status, refused.body.error.code], [400, "INVITE_INVALID"]);
    });

    it("lets one person belong to two tenants and pick the tenant per request with x-tenant-id", async () => {
      const invited = await globex.owner.request("POST", "/v1/admin/invites", { body: { email: "eve@acme.test", role: "viewer" } });
      const eve = browser(node);
      // Eve already has a password: the link alone joins her.
      const joined = await eve.request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link) } });
      assert.equal(joined.status, 201);
      assert.deepEqual(joined.body.memberships.map((m: { tenantName: string }) => m.tenantName).sort(), ["Acme", "Globex"]);
      assert.equal((await eve.request("GET", "/v1/admin/tenant")).body.name, "Globex", "the session acts in the tenant it joined");
      assert.equal((await eve.request("GET", "/v1/admin/tenant", { headers: { "x-tenant-id": acme.id } })).body.name, "Acme");
      const switched = await eve.request("PATCH", "/v1/auth/session", { body: { tenantId: acme.id } });
      assert.equal(switched.body.currentTenantId, acme.id);
      assert.equal((await eve.request("GET", "/v1/admin/tenant")).body.name, "Acme");
    });

    it("never lists another tenant's members: a tenant the person is not in answers 404", async () => {
      const other = await acme.owner.request("GET", "/v1/admin/members", { headers: { "x-tenant-id": globex.id } });
      assert.deepEqual([other.status, other.body.error.code], [404, "TENANT_NOT_FOUND"]);
      assert.ok(!other.text.includes("owner@globex.test"));
      const bogus = await acme.owner.request("GET", "/v1/admin/members", { headers: { "x-tenant-id": "not-a-uuid" } });
      assert.equal(bogus.status, 404);
      const byKey = await node.request("GET", "/v1/admin/members", { key: acme.keys.admin });
      assert.equal(byKey.status, 200);
      assert.ok(!byKey.text.includes("globex"));
      const wrongTenantPath = await acme.owner.request("GET", `/v1/admin/tenants/${globex.id}`);
      assert.equal(wrongTenantPath.status, 404);
      const switchAway = await acme.owner.request("PATCH", "/v1/auth/session", { body: { tenantId: globex.id } });
      assert.deepEqual([switchAway.status, switchAway.body.error.code], [404, "TENANT_NOT_FOUND"]);
    });

    it("keeps memberships and invites under the tenant policy: a tenant-scoped query sees only its own", async function () {
      const db = node.platform.context.db;
      if (!db.rowLevelSecurity) this.skip();
      const rows = await withTenantScope(db, acme.id, (em) => em.execute<{ tenant_id: string }[]>(`select tenant_id from membership union all select tenant_id from invite`));
      assert.ok(rows.length > 0);
      assert.deepEqual([...new Set(rows.map((r) => r.tenant_id))], [acme.id]);
    });

    it("changes roles, and never demotes or removes the last owner (409 LAST_OWNER)", async () => {
      const ownerId = (await acme.owner.request("GET", "/v1/auth/session")).body.user.id;
      const demote = await acme.owner.request("PATCH", `/v1/admin/members/${ownerId}`, { body: { role: "admin" } });
      assert.deepEqual([demote.status, demote.body.error.code], [409, "LAST_OWNER"]);
      const remove = await acme.owner.request("DELETE", `/v1/admin/members/${ownerId}`);
      assert.deepEqual([remove.status, remove.body.error.code], [409, "LAST_OWNER"]);

      const second = await memberWithRole(node, acme.owner, "second@acme.test", "admin");
      const secondId = (await second.request("GET", "/v1/auth/session")).body.user.id;
      // An admin may not make owners, nor touch one.
      const selfPromote = await second.request("PATCH", `/v1/admin/members/${secondId}`, { body: { role: "owner" } });
      assert.deepEqual([selfPromote.status, selfPromote.body.error.code], [403, "ROLE_TOO_HIGH"]);
      const demoteOwner = await second.request("PATCH", `/v1/admin/members/${ownerId}`, { body: { role: "viewer" } });
      assert.deepEqual([demoteOwner.status, demoteOwner.body.error.code], [403, "ROLE_TOO_HIGH"]);
      const byKey = await node.request("POST", "/v1/admin/invites", { key: acme.keys.admin, body: { email: "boss@acme.test", role: "owner" } });
      assert.deepEqual([byKey.status, byKey.body.error.code], [403, "ROLE_TOO_HIGH"]);

      const promoted = await acme.owner.request("PATCH", `/v1/admin/members/${secondId}`, { body: { role: "owner" } });
      assert.deepEqual([promoted.status, promoted.body.role], [200, "owner"]);
      assert.equal((await acme.owner.request("PATCH", `/v1/admin/members/${ownerId}`, { body: { role: "admin" } })).status, 200, "with two owners, one may step down");
      assert.equal((await second.request("DELETE", `/v1/admin/members/${secondId}`)).body.error.code, "LAST_OWNER");
      assert.equal((await second.request("PATCH", `/v1/admin/members/${ownerId}`, { body: { role: "owner" } })).status, 200);
      const missing = await acme.owner.request("DELETE", "/v1/admin/members/00000000-0000-4000-8000-000000000000");
      assert.deepEqual([missing.status, missing.body.error.code], [404, "MEMBER_NOT_FOUND"]);
    });

    it("takes a removed member's access away at once", async () => {
      const temp = await memberWithRole(node, acme.owner, "temp@acme.test", "viewer");
      assert.equal((await temp.request("GET", "/v1/admin/tenant")).status, 200);
      const tempId = (await temp.request("GET", "/v1/auth/session")).body.user.id;
      assert.equal((await acme.owner.request("DELETE", `/v1/admin/members/${tempId}`)).status, 204);
      // Still signed in, but a member of no tenant any more.
      const after = await temp.request("GET", "/v1/admin/tenant");
      assert.deepEqual([after.status, after.body.error.code], [403, "TENANT_REQUIRED"]);
      const named = await temp.request("GET", "/v1/admin/tenant", { headers: { "x-tenant-id": acme.id } });
      assert.deepEqual([named.status, named.body.error.code], [404, "TENANT_NOT_FOUND"]);
    });

    it("refuses to invite someone who is already a member (409)", async () => {
      const again = await acme.owner.request("POST", "/v1/admin/members", { body: { email: "EVE@acme.test", role: "viewer" } });
      assert.deepEqual([again.status, again.body.error.code], [409, "ALREADY_MEMBER"]);
    });
  });
}
