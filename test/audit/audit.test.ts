import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { waitFor } from "../kit/eventually.ts";
import { withTenantScope } from "../../core/kernel/persistence/tenant-scope.ts";
import { memberWithRole, tenantWithOwner, type Browser } from "../people/people-kit.ts";

type Entry = { id: string; at: string; actor: { kind: string; id: string | null; label: string }; role: string | null; method: string; route: string; target: Record<string, string>; status: number };

for (const backend of databaseBackends()) {
  describe(`audit: who changed what, per tenant (${backend})`, function () {
    this.timeout(180_000);
    let node: TestPlatform;
    let acme: Awaited<ReturnType<typeof tenantWithOwner>>;
    let globex: Awaited<ReturnType<typeof tenantWithOwner>>;
    let viewer: Browser;

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"] });
      acme = await tenantWithOwner(node, "Acme", "owner@acme.test");
      globex = await tenantWithOwner(node, "Globex", "owner@globex.test");
      viewer = await memberWithRole(node, acme.owner, "viewer@acme.test", "viewer");
    });
    after(async () => node?.cleanup());

    const entriesOf = async (who: Browser, query = "") => {
      const answer = await who.request("GET", `/v1/admin/audit${query}`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body as { entries: Entry[]; nextCursor: string | null };
    };
    const waitForEntry = (who: Browser, match: (e: Entry) => boolean, query = "") =>
      waitFor("the audit entry", async () => (await entriesOf(who, query)).entries.find(match));

    it("records a labelled key's change by its label and a member's by their email, with the route, its ids and status, and no value", async () => {
      const issued = await acme.owner.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { body: { kind: "admin", role: "editor", label: "CI deploys", rotate: false } });
      assert.equal(issued.status, 201, issued.text);
      const ci = issued.body.key as string;
      const bot = await node.request("POST", "/v1/admin/bots", { key: ci, body: { name: "Deployed" } });
      assert.equal(bot.status, 201, bot.text);
      const secret = await acme.owner.request("PUT", "/v1/admin/secrets/crm_token", { body: { value: "value-never-logged-42" } });
      assert.equal(secret.status, 200, secret.text);

      const created = await waitForEntry(acme.owner, (e) => e.route === "/v1/admin/bots" && e.method === "POST");
      assert.deepEqual([created.actor.kind, created.actor.id, created.actor.label, created.role, created.status, created.target.id], ["key", issued.body.id, "CI deploys", "editor", 201, bot.body.id]);
      const keyEntry = await waitForEntry(acme.owner, (e) => e.route === "/v1/admin/tenants/:tenantId/keys" && e.method === "POST");
      assert.deepEqual([keyEntry.actor.kind, keyEntry.actor.label, keyEntry.role, keyEntry.target.tenantId, keyEntry.target.id], ["member", "owner@acme.test", "owner", acme.id, issued.body.id]);
      const secretEntry = await waitForEntry(acme.owner, (e) => e.route === "/v1/admin/secrets/:name");
      assert.deepEqual([secretEntry.method, secretEntry.target.name, secretEntry.actor.label], ["PUT", "crm_token", "owner@acme.test"]);
      const everything = JSON.stringify(await entriesOf(acme.owner, "?limit=200"));
      assert.doesNotMatch(everything, /value-never-logged-42/, "no secret value in the log");
      assert.doesNotMatch(everything, new RegExp(ci.slice(3, 20)), "no key in the log");
    });

    it("leaves out what changed nothing: reads, refused requests, validations", async () => {
      const before = (await entriesOf(acme.owner, "?limit=200")).entries.length;
      assert.equal((await acme.owner.request("POST", "/v1/admin/flows/validate", { body: { flow: { start: "a", nodes: [] } } })).status, 200);
      assert.equal((await acme.owner.request("PATCH", `/v1/admin/bots/${crypto.randomUUID()}`, { body: { name: "nobody" } })).status, 404);
      assert.equal((await acme.owner.request("GET", "/v1/admin/bots")).status, 200);
      // A change after them: once it is in, they would have been too.
      assert.equal((await acme.owner.request("PUT", "/v1/admin/secrets/marker", { body: { value: "x" } })).status, 200);
      await waitForEntry(acme.owner, (e) => e.target.name === "marker");
      assert.equal((await entriesOf(acme.owner, "?limit=200")).entries.length, before + 1);
    });

    it("lets a viewer read the log but not change anything (403, and nothing recorded)", async () => {
      const refused = await viewer.request("PUT", "/v1/admin/secrets/nope", { body: { value: "x" } });
      assert.deepEqual([refused.status, refused.body.error.code], [403, "ROLE_FORBIDDEN"]);
      const page = await entriesOf(viewer, "?limit=200");
      assert.ok(page.entries.length > 0);
      assert.ok(!page.entries.some((e) => e.target.name === "nope"));
    });

    it("filters by actor, route, method and time, and pages newest first by cursor", async () => {
      for (const name of ["page_a", "page_b", "page_c"]) assert.equal((await acme.owner.request("PUT", `/v1/admin/secrets/${name}`, { body: { value: "v" } })).status, 200);
      await waitForEntry(acme.owner, (e) => e.target.name === "page_c");
      const byKey = await entriesOf(acme.owner, "?actor=ci%20deploy");
      assert.ok(byKey.entries.length > 0 && byKey.entries.every((e) => e.actor.label === "CI deploys"), JSON.stringify(byKey));
      const secrets = await entriesOf(acme.owner, `?route=${encodeURIComponent("/secrets")}&method=PUT&limit=2`);
      assert.equal(secrets.entries.length, 2);
      assert.deepEqual(secrets.entries.map((e) => e.target.name), ["page_c", "page_b"]);
      assert.ok(secrets.nextCursor);
      const next = await entriesOf(acme.owner, `?route=${encodeURIComponent("/secrets")}&method=PUT&limit=2&cursor=${secrets.nextCursor}`);
      assert.deepEqual(next.entries.map((e) => e.target.name).slice(0, 1), ["page_a"]);
      const future = await entriesOf(acme.owner, `?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
      assert.deepEqual(future.entries, []);
      const bad = await acme.owner.request("GET", "/v1/admin/audit?cursor=bm9wZQ");
      assert.deepEqual([bad.status, bad.body.error.code], [400, "AUDIT_CURSOR_INVALID"]);
    });

    it("never shows one tenant's entries to another", async () => {
      assert.equal((await globex.owner.request("PUT", "/v1/admin/secrets/globex_only", { body: { value: "g" } })).status, 200);
      await waitForEntry(globex.owner, (e) => e.target.name === "globex_only");
      const globexLog = await entriesOf(globex.owner, "?limit=200");
      assert.ok(globexLog.entries.every((e) => e.actor.label === "owner@globex.test" || e.actor.kind === "operator"), JSON.stringify(globexLog.entries.map((e) => e.actor)));
      const acmeLog = await entriesOf(acme.owner, "?limit=200");
      assert.ok(!acmeLog.entries.some((e) => e.target.name === "globex_only"));
      assert.deepEqual((await entriesOf(acme.owner, "?actor=owner@globex.test")).entries, []);
    });

    it("lets PostgreSQL itself hide another tenant's entries from a query that forgot its tenant (row-level security)", async () => {
      const db = node.platform.context.db;
      assert.equal(db.rowLevelSecurity, true);
      const seen = await withTenantScope(db, acme.id, (em) => em.execute<{ tenant: string }[]>(`select distinct tenant_id::text as tenant from audit_entry`));
      assert.deepEqual(seen.map((r) => r.tenant), [acme.id]);
      const everyone = await db.orm.em.fork().execute<{ n: string }[]>(`select count(distinct tenant_id) as n from audit_entry`);
      assert.ok(Number(everyone[0]!.n) >= 2, "outside the scope both tenants have entries");
    });

        it("keeps labelled keys side by side, lists them by label, and a revoked one stops working", async () => {
      const first = await acme.owner.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { body: { kind: "admin", role: "viewer", label: "Reports", rotate: false } });
      const second = await acme.owner.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { body: { kind: "admin", role: "viewer", label: "Dashboards", rotate: false } });
      assert.deepEqual([first.status, second.status], [201, 201]);
      assert.equal((await node.request("GET", "/v1/admin/bots", { key: first.body.key })).status, 200, "the first key still works beside the second");
      const listed = (await acme.owner.request("GET", `/v1/admin/tenants/${acme.id}/keys`)).body.keys as { id: string; label: string | null; revokedAt: string | null }[];
      assert.deepEqual(listed.filter((k) => k.id === first.body.id || k.id === second.body.id).map((k) => [k.label, k.revokedAt]), [["Reports", null], ["Dashboards", null]]);
      assert.ok(!JSON.stringify(listed).includes(first.body.key), "lists never hold the key");
      assert.equal((await acme.owner.request("DELETE", `/v1/admin/tenants/${acme.id}/keys/${first.body.id}`)).status, 204);
      assert.equal((await node.request("GET", "/v1/admin/bots", { key: first.body.key })).status, 401);
      const who = await node.request("GET", "/v1/admin/tenant", { key: second.body.key });
      assert.deepEqual(who.body.caller, { kind: "admin", role: "viewer", keyId: second.body.id, keyLabel: "Dashboards" });
    });
  });
}
