import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import pg from "pg";
import pino from "pino";
import { tenantTables } from "../../core/kernel/persistence/migrations/0011-row-level-security.migration.ts";
import { PLATFORM_ROLE } from "../../core/kernel/persistence/migrations/0018-force-row-level-security.migration.ts";
import { openDatabase, type Database } from "../../core/kernel/persistence/database.ts";
import { entities } from "../../core/server/entities.ts";
import { migrations } from "../../core/server/migrations.ts";
import { databaseBackends, testServices, uniqueName } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

/**
 * Issue: the tenant tables had policies but did not force them, and the platform connected as the
 * tables' owner, which PostgreSQL exempts. Now every tenant table forces row-level security, and the
 * platform works as `bp_platform`, which owns nothing.
 */
for (const backend of databaseBackends()) {
  describe(`the platform works as a role that does not own the tenant tables (${backend})`, function () {
    this.timeout(90_000);
    let node: TestPlatform;
    const db = () => node.platform.context.db;

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: [] });
    });
    after(async () => node?.cleanup());

    it("runs application queries as bp_platform, and forces row-level security on every tenant table", async () => {
      assert.equal(db().role, PLATFORM_ROLE);
      const [who] = await db().orm.em.fork().execute<{ role: string }[]>("select current_user as role");
      assert.equal(who!.role, PLATFORM_ROLE);
      const owners = await db().orm.em.fork().execute<{ tablename: string; tableowner: string; forced: boolean }[]>(
        `select t.tablename, t.tableowner, c.relforcerowsecurity as forced from pg_tables t join pg_class c on c.relname = t.tablename and c.relnamespace = to_regnamespace(t.schemaname)
         where t.schemaname = current_schema()`,
      );
      const byTable = new Map(owners.map((o) => [o.tablename, o]));
      for (const { table } of tenantTables) {
        assert.notEqual(byTable.get(table)?.tableowner, PLATFORM_ROLE, `${table} is not owned by the working role`);
        assert.equal(byTable.get(table)?.forced, true, `${table} forces row-level security`);
      }
    });

    it("cannot switch row-level security off or drop a policy from the application's connections", async () => {
      await assert.rejects(db().orm.em.fork().execute("alter table tenant_secret no force row level security", [], "run"), /must be owner/);
      await assert.rejects(db().orm.em.fork().execute("drop policy bp_tenant_isolation on crm_contact", [], "run"), /must be owner/);
    });

    it("still serves every tenant its own data over HTTP", async () => {
      const created = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } });
      assert.equal(created.status, 201, created.text);
      const listed = await node.request("GET", "/v1/admin/tenants", { key: node.operatorKey });
      assert.ok(listed.body.tenants.some((t: { id: string }) => t.id === created.body.id), listed.text);
    });
  });
}

describe("the tables' owner is held to row-level security too (postgres)", function () {
  this.timeout(90_000);
  const admin = () => new pg.Client({ connectionString: testServices.postgresUrl });
  let role: string | undefined;
  let ownerUrl: string;
  let db: Database | undefined;

  before(async function () {
    if (!testServices.postgresUrl) return this.skip();
    // A managed database's shape: a login that may create roles, owns the database, and is no superuser.
    role = uniqueName("bp_owner");
    const client = admin();
    await client.connect();
    await client.query(`create role "${role}" login createrole nosuperuser`);
    await client.query(`create database "${role}" owner "${role}"`);
    await client.end();
    const url = new URL(testServices.postgresUrl);
    url.username = role;
    url.password = "";
    url.pathname = `/${role}`;
    ownerUrl = url.toString();
    db = await openDatabase({ DATABASE_URL: ownerUrl, DATA_DIR: tmpdir(), DB_POOL_MAX: 2 }, pino({ level: "silent" }), { entities, migrations });
  });
  after(async () => {
    await db?.close();
    if (!role) return;
    const client = admin();
    await client.connect();
    await client.query(`drop database if exists "${role}" with (force)`);
    await client.query(`drop role if exists "${role}"`);
    await client.end();
  });

  it("sees no tenant rows and may write none, connected as the owner without switching role", async () => {
    assert.equal(db!.role, PLATFORM_ROLE);
    assert.equal(db!.rowLevelSecurity, true);
    const tenantId = crypto.randomUUID();
    await db!.orm.em.fork().execute(`insert into tenant (id, name) values (?, 'Acme')`, [tenantId], "run");
    await db!.orm.em.fork().execute(`insert into tenant_secret (tenant_id, name, sealed) values (?, 'token', 'sealed')`, [tenantId], "run");

    const owner = new pg.Client({ connectionString: ownerUrl });
    await owner.connect();
    try {
      const [{ tables }] = (await owner.query(`select count(*)::int as tables from pg_tables where schemaname = current_schema() and tableowner = current_user and tablename = 'tenant_secret'`)).rows;
      assert.equal(tables, 1, "this login owns the tables");
      assert.equal((await owner.query(`select * from tenant_secret`)).rowCount, 0, "the owner does not see the secret");
      assert.equal((await owner.query(`select * from tenant`)).rowCount, 0, "nor the tenant");
      await assert.rejects(owner.query(`insert into tenant_secret (tenant_id, name, sealed) values ($1, 'planted', 'x')`, [tenantId]), /row-level security/);
    } finally {
      await owner.end();
    }
    const rows = await db!.orm.em.fork().execute<{ name: string }[]>(`select name from tenant_secret where tenant_id = ?`, [tenantId]);
    assert.deepEqual(rows.map((r) => r.name), ["token"], "the platform, as bp_platform, sees it");
  });
});
