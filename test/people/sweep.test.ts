import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { browser, tenantWithOwner } from "./people-kit.ts";

for (const backend of databaseBackends()) {
  describe(`people: expired sessions, spent tokens and old invites are swept (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: [] });
    });
    after(async () => node?.cleanup());

    it("deletes what can no longer be used and keeps what can", async () => {
      const sql = (text: string, params: unknown[] = []) => node.platform.context.db.orm.em.fork().getConnection().execute(text, params);
      const acme = await tenantWithOwner(node, "Acme", "owner@acme.test", "the owner's password");
      const other = browser(node);
      assert.equal((await other.request("POST", "/v1/auth/sessions", { body: { email: "owner@acme.test", password: "the owner's password" } })).status, 201);
      // The second browser's session ran out a minute ago; an invite expired 31 days ago, another is open.
      const [session] = await sql(`select id from user_session order by created_at desc limit 1`) as { id: string }[];
      await sql(`update user_session set expires_at = now() - interval '1 minute' where id = ?`, [session!.id]);
      const old = await acme.owner.request("POST", "/v1/admin/invites", { body: { email: "late@acme.test", role: "viewer" } });
      const open = await acme.owner.request("POST", "/v1/admin/invites", { body: { email: "soon@acme.test", role: "viewer" } });
      await sql(`update invite set expires_at = now() - interval '31 days' where id = ?`, [old.body.invite.id]);
      await node.request("POST", "/v1/auth/password-reset", { body: { email: "owner@acme.test" } });
      await sql(`update user_token set expires_at = now() - interval '1 second'`);

      const swept = await node.platform.broker.call<{ sessions: number; tokens: number; invites: number }>("people.sweepExpired");
      assert.ok(swept.sessions >= 1 && swept.tokens >= 1 && swept.invites === 1, JSON.stringify(swept));
      assert.equal((await sql(`select count(*)::int as n from user_session where id = ?`, [session!.id]) as { n: number }[])[0]!.n, 0);
      assert.equal((await acme.owner.request("GET", "/v1/auth/session")).status, 200, "a live session stays");
      assert.equal((await other.request("GET", "/v1/auth/session")).status, 401);
      const invites = (await acme.owner.request("GET", "/v1/admin/invites")).body.invites as { id: string }[];
      assert.ok(invites.some((i) => i.id === open.body.invite.id), "an open invite stays");
      assert.equal((await sql(`select count(*)::int as n from invite where id = ?`, [old.body.invite.id]) as { n: number }[])[0]!.n, 0);
    });
  });
}
