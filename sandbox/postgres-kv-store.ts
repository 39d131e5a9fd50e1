import type { EntityManager } from "@mikro-orm/postgresql";
import { DEFAULT_KV_QUOTA, checkEntry, kvError, type KvQuota, type TenantKeyValueStore } from "./kv-store.ts";
import { KvErrorCode } from "./kv-store.ts";

/**
 * `ctx.kv` in PostgreSQL, so every node sees the same values. The quota is checked under a
 * per-tenant advisory lock, so concurrent writes cannot pass it together.
 */
export function createPostgresKeyValueStore(em: () => EntityManager, quota: Partial<KvQuota> = {}): TenantKeyValueStore {
  const q: KvQuota = { ...DEFAULT_KV_QUOTA, ...quota };
  const sql = () => em().getConnection();
  return {
    async get(tenantId, key) {
      const rows = await sql().execute<{ value: unknown }[]>(`select value from tenant_kv where tenant_id = ? and key = ?`, [tenantId, key]);
      return rows[0]?.value ?? null;
    },
    async set(tenantId, key, value) {
      const json = checkEntry(key, value, q);
      const bytes = Buffer.byteLength(key) + Buffer.byteLength(json);
      await em().transactional(async (tx) => {
        const c = tx.getConnection();
        const ctx = tx.getTransactionContext();
        await c.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`kv:${tenantId}`], "all", ctx);
        const [totals] = await c.execute<{ keys: number; bytes: number; mine: number | null }[]>(
          `select count(*)::int as keys, coalesce(sum(bytes), 0)::int as bytes, max(case when key = ? then bytes end)::int as mine from tenant_kv where tenant_id = ?`,
          [key, tenantId], "all", ctx,
        );
        const exists = totals.mine !== null;
        if (!exists && totals.keys >= q.maxKeys) throw kvError(KvErrorCode.quotaExceeded, `A tenant may store at most ${q.maxKeys} keys`);
        if (totals.bytes - (totals.mine ?? 0) + bytes > q.maxBytes) throw kvError(KvErrorCode.quotaExceeded, `A tenant may store at most ${q.maxBytes} bytes`);
        await c.execute(
          `insert into tenant_kv (tenant_id, key, value, bytes) values (?, ?, ?::jsonb, ?)
           on conflict (tenant_id, key) do update set value = excluded.value, bytes = excluded.bytes, updated_at = now()`,
          [tenantId, key, json, bytes], "run", ctx,
        );
      });
    },
    async delete(tenantId, key) {
      const rows = await sql().execute<{ key: string }[]>(`delete from tenant_kv where tenant_id = ? and key = ? returning key`, [tenantId, key]);
      return rows.length > 0;
    },
    async list(tenantId, prefix, limit = 100) {
      const rows = await sql().execute<{ key: string }[]>(
        `select key from tenant_kv where tenant_id = ? and starts_with(key, ?) order by key limit ?`,
        [tenantId, prefix, Math.min(Math.max(limit, 1), 1000)],
      );
      return rows.map((r) => r.key);
    },
  };
}
