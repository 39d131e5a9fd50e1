import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import type { EntityManager } from "@mikro-orm/postgresql";
import pg from "pg";
import pino from "pino";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { browseContacts } from "../../core/modules/crm/platform-crm.queries.ts";
import { PostgresSessionStore } from "../../core/engine/conversations/postgres-session-store.ts";
import { TENANT_POLICY, tenantTables } from "../../core/kernel/persistence/migrations/0011-row-level-security.migration.ts";
import { openDatabase } from "../../core/kernel/persistence/database.ts";
import { entities } from "../../core/server/entities.ts";
import { migrations } from "../../core/server/migrations.ts";
import { withTenantScope } from "../../core/kernel/persistence/tenant-scope.ts";
import { databaseBackends, testServices, uniqueName } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

type Tenant = { id: string; admin: string; widget: string; botId: string; sessionId: string; sourceId: string; webhookId: string };

/**
 * PostgreSQL's row-level security under the code's own tenant filters: inside `withTenantScope`
 * the database shows one tenant's rows whatever the query says, and refuses writes of another's.
 * PGlite is real PostgreSQL and supports roles and policies too, so this runs on both backends.
 */
for (const backend of databaseBackends()) {
  describe(`row-level security backs the tenant scope (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let acme: Tenant;
    let globex: Tenant;
    const db = () => node.platform.context.db;
    const owner = () => db().orm.em.fork();
    const scoped = <T>(tenantId: string, fn: (em: EntityManager) => Promise<T>) => withTenantScope(db(), tenantId, fn);
    // The platform works as bp_platform (0018), which may not grant or revoke: the login, which owns the tables, may.
    const asTablesOwner = (sql: string) => owner().transactional(async (tx) => {
      await tx.execute("set local role none");
      await tx.execute(sql, [], "run");
    });

    async function tenant(name: string, fact: string): Promise<Tenant> {
      const created = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name } });
      assert.equal(created.status, 201, created.text);
      const admin: string = created.body.keys.admin;
      const widget: string = created.body.keys.widget;
      const bot = await node.request("POST", "/v1/admin/bots", { key: admin, body: { name: `${name} bot`, flow: exampleFlow } });
      assert.equal(bot.status, 201, bot.text);
      const session = await node.request("POST", "/v1/chat/sessions", { key: widget, body: { botId: bot.body.id } });
      assert.equal(session.status, 201, session.text);
      assert.equal((await node.request("POST", `/v1/chat/sessions/${session.body.sessionId}/messages`, { key: widget, body: { text: `${name} Person` } })).status, 200);
      const source = await node.request("POST", `/v1/admin/bots/${bot.body.id}/knowledge?wait=true`, { key: admin, body: { name: "facts.txt", contentBase64: Buffer.from(fact).toString("base64") } });
      assert.equal(source.status, 201, source.text);
      assert.equal((await node.request("PUT", "/v1/admin/secrets/api_token", { key: admin, body: { value: `${name}-token-value` } })).status, 200);
      const webhook = await node.request("POST", "/v1/admin/webhooks", { key: admin, body: { url: "http://127.0.0.1:9/hook", events: ["*"] } });
      assert.equal(webhook.status, 201, webhook.text);
      await node.platform.broker.call("crm.upsertContact", { tenantId: created.body.id, fields: { email: `lead@${name.toLowerCase()}.example`, firstname: name } });
      return { id: created.body.id, admin, widget, botId: bot.body.id, sessionId: session.body.sessionId, sourceId: source.body.source.id, webhookId: webhook.body.id };
    }

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true" } });
      acme = await tenant("Acme", "Acme ships parcels from Lyon within two days.");
      globex = await tenant("Globex", "Globex ships parcels from Oslo within five days.");
    });
    after(async () => node?.cleanup());

    it("puts a policy on every table that carries a tenant, and the platform uses it", async () => {
      assert.equal(db().rowLevelSecurity, true);
      const rows = await owner().execute<{ tablename: string }[]>(`select tablename from pg_policies where schemaname = current_schema() and policyname = ?`, [TENANT_POLICY]);
      const covered = new Set(rows.map((r) => r.tablename));
      for (const { table } of [...tenantTables, { table: "channel_opt_out" }, { table: "bot_intent" }]) assert.ok(covered.has(table), `${table} has the policy`);
    });

    it("shows an unscoped select only the scope's tenant's rows", async () => {
      for (const table of ["crm_contact", "tenant_secret", "conversation_session", "conversation_message", "knowledge_source", "knowledge_chunk", "bot", "event_subscription", "tenant"]) {
        const all = await owner().execute<{ tenant: string }[]>(`select distinct ${table === "tenant" ? "id" : "tenant_id"}::text as tenant from ${table}`);
        assert.ok(all.some((r) => r.tenant === globex.id), `the owner sees Globex's ${table}`);
        const seen = await scoped(acme.id, (em) => em.execute<{ tenant: string }[]>(`select distinct ${table === "tenant" ? "id" : "tenant_id"}::text as tenant from ${table}`));
        assert.deepEqual(seen.map((r) => r.tenant), [acme.id], `${table} under Acme's scope`);
      }
      const [contact] = await scoped(acme.id, (em) => em.execute<{ email: string }[]>(`select * from crm_contact`));
      assert.equal(contact?.email, "lead@acme.example");
    });

    it("refuses to write another tenant's rows inside the scope", async () => {
      await assert.rejects(
        scoped(acme.id, (em) => em.execute(`insert into crm_contact (id, tenant_id, email) values (?, ?, ?)`, [crypto.randomUUID(), globex.id, "planted@globex.example"], "run")),
        /row-level security/,
      );
      await assert.rejects(
        scoped(acme.id, (em) => em.execute(`update crm_contact set tenant_id = ? where tenant_id = ?`, [globex.id, acme.id], "run")),
        /row-level security/,
      );
      const updated = await scoped(acme.id, (em) => em.execute<{ affectedRows?: number }>(`update tenant_secret set sealed = 'x' where tenant_id = ?`, [globex.id], "run"));
      assert.equal(updated.affectedRows, 0);
      const deleted = await scoped(acme.id, (em) => em.execute<{ affectedRows?: number }>(`delete from conversation_message`, [], "run"));
      assert.ok((deleted.affectedRows ?? 0) > 0, "Acme's own history can be deleted");
      const globexHistory = await owner().execute<{ n: number }[]>(`select count(*)::int as n from conversation_message where tenant_id = ?`, [globex.id]);
      assert.ok(globexHistory[0]!.n > 0, "the unscoped delete left Globex's history alone");
      const planted = await owner().execute<unknown[]>(`select 1 from crm_contact where email = 'planted@globex.example'`);
      assert.equal(planted.length, 0);
    });

    it("shows nothing to a scope whose tenant is unknown or not a uuid, and keeps out of tables it was not granted", async () => {
      assert.deepEqual(await scoped(crypto.randomUUID(), (em) => em.execute(`select * from crm_contact`)), []);
      assert.deepEqual(await scoped("not-a-tenant", (em) => em.execute(`select * from tenant_secret`)), []);
      await assert.rejects(scoped(acme.id, (em) => em.execute(`select * from platform_setting`)), /permission denied/);
    });

    it("stops code that names the wrong tenant: the store's own filter and the policy must agree", async () => {
      const foreign = await scoped(acme.id, (em) => browseContacts(em, globex.id, undefined, 1));
      assert.equal(foreign.total, 0);
      const session = await scoped(acme.id, (em) => new PostgresSessionStore(() => em).get(globex.id, globex.sessionId));
      assert.equal(session, undefined);
    });

    it("leaves the pooled connection as it found it, after a scope that failed too", async () => {
      await assert.rejects(scoped(acme.id, async (em) => {
        await em.execute(`select 1`);
        throw new Error("the caller failed");
      }), /the caller failed/);
      const [who] = await owner().execute<{ role: string; tenant: string | null }[]>(`select current_user as role, current_setting('bp.tenant_id', true) as tenant`);
      assert.notEqual(who?.role, "bp_tenant");
      assert.ok(!who?.tenant, "no tenant setting survives the scope");
      assert.ok((await owner().execute<unknown[]>(`select 1 from crm_contact where tenant_id = ?`, [globex.id])).length > 0);
    });

    it("serves the real HTTP reads under the scope, each with only the caller's data", async () => {
      const search = await node.request("GET", `/v1/admin/bots/${acme.botId}/knowledge/search?q=${encodeURIComponent("where are parcels shipped from")}`, { key: acme.admin });
      assert.equal(search.status, 200, search.text);
      assert.match(search.body.passages[0].text, /Lyon/);
      assert.ok(!search.text.includes("Oslo"));
      const foreignSearch = await node.request("GET", `/v1/admin/bots/${globex.botId}/knowledge/search?q=parcels`, { key: acme.admin });
      assert.ok(foreignSearch.status === 404 || (foreignSearch.status === 200 && foreignSearch.body.passages.length === 0), foreignSearch.text);

      const sources = await node.request("GET", `/v1/admin/bots/${acme.botId}/knowledge`, { key: acme.admin });
      assert.equal(sources.status, 200, sources.text);
      assert.deepEqual(sources.body.sources.map((s: { id: string }) => s.id), [acme.sourceId]);

      const state = await node.request("GET", `/v1/chat/sessions/${acme.sessionId}`, { key: acme.widget });
      assert.equal(state.status, 200, state.text);
      const history = await node.request("GET", `/v1/chat/sessions/${globex.sessionId}/history`, { key: globex.widget });
      assert.equal(history.status, 200, history.text);
      assert.ok(history.text.includes("Globex Person") && !history.text.includes("Acme"));
      assert.equal((await node.request("GET", `/v1/chat/sessions/${globex.sessionId}/history`, { key: acme.widget })).status, 404);

      const csv = await node.request("GET", "/v1/admin/crm/contacts.csv", { key: acme.admin });
      assert.equal(csv.status, 200, csv.text);
      assert.ok(csv.text.includes("lead@acme.example") && !csv.text.includes("globex"));
      const contacts = await node.request("GET", "/v1/admin/crm/contacts", { key: globex.admin });
      assert.deepEqual(contacts.body.contacts.map((c: { email: string }) => c.email), ["lead@globex.example"]);

      const secrets = await node.request("GET", "/v1/admin/secrets", { key: acme.admin });
      assert.deepEqual(secrets.body.secrets.map((s: { name: string }) => s.name), ["api_token"]);
      const webhooks = await node.request("GET", "/v1/admin/webhooks", { key: acme.admin });
      assert.deepEqual(webhooks.body.webhooks.map((w: { id: string }) => w.id), [acme.webhookId]);
      const deliveries = await node.request("GET", `/v1/admin/webhooks/${acme.webhookId}/deliveries`, { key: acme.admin });
      assert.equal(deliveries.status, 200, deliveries.text);
      for (const d of deliveries.body.deliveries) assert.equal(d.subscriptionId, acme.webhookId);
    });

    it("proves those reads run as the scoped role: taking its grant away breaks each of them", async () => {
      const reads: [string, () => Promise<number>][] = [
        ["knowledge_chunk", async () => (await node.request("GET", `/v1/admin/bots/${acme.botId}/knowledge/search?q=parcels`, { key: acme.admin })).status],
        ["knowledge_source", async () => (await node.request("GET", `/v1/admin/bots/${acme.botId}/knowledge`, { key: acme.admin })).status],
        ["conversation_message", async () => (await node.request("GET", `/v1/chat/sessions/${acme.sessionId}/history`, { key: acme.widget })).status],
        ["conversation_session", async () => (await node.request("GET", `/v1/chat/sessions/${acme.sessionId}`, { key: acme.widget })).status],
        ["crm_contact", async () => (await node.request("GET", "/v1/admin/crm/contacts.csv", { key: acme.admin })).status],
        ["tenant_secret", async () => (await node.request("GET", "/v1/admin/secrets", { key: acme.admin })).status],
        ["event_delivery", async () => (await node.request("GET", `/v1/admin/webhooks/${acme.webhookId}/deliveries`, { key: acme.admin })).status],
      ];
      for (const [table, read] of reads) {
        assert.equal(await read(), 200, `${table} read works with the grant`);
        await asTablesOwner(`revoke select on ${table} from bp_tenant`);
        try {
          assert.equal(await read(), 500, `${table} read fails without bp_tenant's grant, so it ran as bp_tenant`);
        } finally {
          await asTablesOwner(`grant select on ${table} to bp_tenant`);
        }
        assert.equal(await read(), 200);
      }
    });
  });
}

describe("row-level security where the database user may not use it (postgres)", function () {
  this.timeout(60_000);
  const admin = () => new pg.Client({ connectionString: testServices.postgresUrl });
  let role: string | undefined;

  before(function () {
    if (!testServices.postgresUrl) this.skip();
  });
  after(async () => {
    if (!role) return;
    const client = admin();
    await client.connect();
    await client.query(`drop database if exists "${role}" with (force)`);
    await client.query(`drop role if exists "${role}"`);
    await client.end();
  });

  it("migrates, warns once, and keeps serving with tenant scoping in code only", async () => {
    role = uniqueName("bp_norls");
    const client = admin();
    await client.connect();
    await client.query(`create role "${role}" login nocreaterole nosuperuser`);
    await client.query(`create database "${role}" owner "${role}"`);
    await client.end();
    const url = new URL(testServices.postgresUrl!);
    url.username = role;
    url.password = "";
    url.pathname = `/${role}`;

    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    const db = await openDatabase({ DATABASE_URL: url.toString(), DATA_DIR: tmpdir(), DB_POOL_MAX: 2 }, logger, { entities, migrations });
    try {
      assert.equal(db.rowLevelSecurity, false);
      assert.equal(lines.filter((l) => l.includes("row-level security is not available")).length, 1, lines.join("\n"));
      const tenantId = crypto.randomUUID();
      await db.orm.em.fork().execute(`insert into tenant (id, name) values (?, 'Solo')`, [tenantId], "run");
      await db.orm.em.fork().execute(`insert into tenant_secret (tenant_id, name, sealed) values (?, 'k', 'x')`, [tenantId], "run");
      const rows = await withTenantScope(db, tenantId, (em) => em.execute<{ name: string }[]>(`select name from tenant_secret where tenant_id = ?`, [tenantId]));
      assert.deepEqual(rows.map((r) => r.name), ["k"]);
    } finally {
      await db.close();
    }
  });
});
