import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostgresSessionStore } from "../../core/engine/conversations/postgres-session-store.ts";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { openDatabase, type Database } from "../../core/kernel/persistence/database.ts";
import { entities } from "../../core/server/entities.ts";
import { migrations } from "../../core/server/migrations.ts";
import { createTestDatabase, databaseBackends } from "../kit/test-services.ts";

const before17 = migrations.slice(0, migrations.findIndex((m) => m.name === "0017-one-open-session-per-user"));

/** A database as 0016 left it (WhatsApp's own one-open-session index), then brought up to date. */
for (const backend of databaseBackends()) {
  describe(`migration 0017 moves the one-open-session rule off the vendor's name (${backend})`, function () {
    this.timeout(120_000);
    const logger = createLogger("silent");
    let dataDir: string;
    let database: { url: string; drop(): Promise<void> } | undefined;
    let db: Database | undefined;
    const open = async (list: typeof migrations) => {
      const config = { DATABASE_URL: database?.url, DATA_DIR: dataDir, DB_POOL_MAX: 2 };
      return openDatabase(config, logger, { entities, migrations: list });
    };

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "bp-migration-"));
      if (backend === "postgres") database = await createTestDatabase();
    });
    after(async () => {
      await db?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("keeps an existing user's open WhatsApp session as the only one they may have, and leaves web sessions free", async () => {
      db = await open(before17);
      const sql = () => db!.orm.em.getConnection();
      const tenantId = randomUUID(), botId = randomUUID();
      await sql().execute(`insert into tenant (id, name) values (?, 'Acme')`, [tenantId], "run");
      await sql().execute(`insert into bot (id, tenant_id, name) values (?, ?, 'Demo')`, [botId, tenantId], "run");
      const insert = (id: string, userId: string, channel: string, status: string) => sql().execute(
        `insert into conversation_session (id, tenant_id, bot_id, user_id, channel, flow_version, status, variables, position, revision, created_at, updated_at)
         values (?, ?, ?, ?, ?, '1', ?, '{}', '{}', 1, now(), now())`, [id, tenantId, botId, userId, channel, status], "run");
      const open1 = randomUUID(), ended = randomUUID(), web1 = randomUUID(), web2 = randomUUID();
      await insert(open1, "whatsapp:15550001111", "whatsapp", "active");
      await insert(ended, "whatsapp:15550001111", "whatsapp", "ended");
      await insert(web1, "web:ada", "web", "active");
      await insert(web2, "web:ada", "web", "active");
      await db.close();

      db = await open(migrations);
      const rows = await db.orm.em.getConnection().execute<{ id: string; one_open_per_user: boolean }[]>(`select id, one_open_per_user from conversation_session where bot_id = ?`, [botId]);
      const flags = Object.fromEntries(rows.map((r) => [r.id, r.one_open_per_user]));
      assert.deepEqual(flags, { [open1]: true, [ended]: false, [web1]: false, [web2]: false });
      const indexes = (await db.orm.em.getConnection().execute<{ indexname: string }[]>(`select indexname from pg_indexes where tablename = 'conversation_session'`)).map((r) => r.indexname);
      assert.ok(indexes.includes("conversation_session_one_open_per_user"));
      assert.ok(!indexes.some((name) => /whatsapp/.test(name)), `no index named for a vendor is left: ${indexes.join(", ")}`);

      const store = new PostgresSessionStore(() => db!.orm.em.fork());
      const session = (id: string, userId: string, channel: string, oneOpenPerUser: boolean) => ({
        id, tenantId, botId, userId, channel, flowVersion: "1", status: "active" as const, variables: { user: {}, context: {}, session: {}, temp: {} },
        position: { nodeId: null, frames: [] }, revision: 1, createdAt: new Date(), updatedAt: new Date(), ...(oneOpenPerUser ? { oneOpenPerUser } : {}),
      });
      await assert.rejects(store.create(session(randomUUID(), "whatsapp:15550001111", "whatsapp", true)), { code: "SESSION_ALREADY_OPEN", status: 409 });
      await store.create(session(randomUUID(), "web:ada", "web", false));
      await store.create(session(randomUUID(), "whatsapp:15550002222", "whatsapp", true));
    });
  });
}
