import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { openDatabase, type Database } from "../../core/kernel/persistence/database.ts";
import { createSubscriptionStore } from "../../core/modules/subscriptions/subscription-store.ts";
import { entities } from "../../core/server/entities.ts";
import { migrations } from "../../core/server/migrations.ts";
import { createTestDatabase, databaseBackends } from "../kit/test-services.ts";

const before20 = migrations.slice(0, migrations.findIndex((m) => m.name === "0020-standard-webhooks"));

/** A database with a webhook made before Standard Webhooks, then brought up to date. */
for (const backend of databaseBackends()) {
  describe(`migration 0020 keeps webhooks made before Standard Webhooks on their old key (${backend})`, function () {
    this.timeout(120_000);
    const logger = createLogger("silent");
    let dataDir: string;
    let database: { url: string; drop(): Promise<void> } | undefined;
    let db: Database | undefined;
    const open = (list: typeof migrations) => openDatabase({ DATABASE_URL: database?.url, DATA_DIR: dataDir, DB_POOL_MAX: 2 }, logger, { entities, migrations: list });

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "bp-migration-"));
      if (backend === "postgres") database = await createTestDatabase();
    });
    after(async () => {
      await db?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("marks an existing subscription legacy (raw key, old header too) and makes new ones standard", async () => {
      db = await open(before20);
      const tenantId = randomUUID(), oldHook = randomUUID();
      await db.orm.em.getConnection().execute(`insert into tenant (id, name) values (?, 'Acme')`, [tenantId], "run");
      await db.orm.em.getConnection().execute(
        `insert into event_subscription (id, tenant_id, url, events, secret_sealed) values (?, ?, 'https://example.com/hook', '["*"]', 'sealed')`, [oldHook, tenantId], "run");
      await db.close();

      db = await open(migrations);
      const store = createSubscriptionStore(() => db!.orm.em.fork());
      const newHook = await store.create({ id: randomUUID(), tenantId, url: "https://example.com/new", events: ["*"], secretSealed: "sealed", enabled: true });
      const formats = await db.orm.em.getConnection().execute<{ id: string; secret_format: string }[]>(`select id, secret_format from event_subscription where tenant_id = ?`, [tenantId]);
      assert.deepEqual(Object.fromEntries(formats.map((r) => [r.id, r.secret_format])), { [oldHook]: "raw", [newHook.id]: "standard" });
      assert.equal((await store.get(tenantId, oldHook))?.legacySignature, true);
      assert.equal(newHook.legacySignature, false);

      // A rotation with an overlap keeps the old header until the overlap ends; without one, at once.
      assert.equal((await store.rotate(tenantId, oldHook, "sealed-2", 60))?.legacySignature, true);
      assert.equal((await store.rotate(tenantId, oldHook, "sealed-3", 0))?.legacySignature, false);
    });
  });
}
