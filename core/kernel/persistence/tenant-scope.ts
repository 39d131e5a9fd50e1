import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import { TENANT_POLICY, TENANT_ROLE, tenantTables } from "./migrations/0011-row-level-security.migration.ts";
import { PLATFORM_POLICY, PLATFORM_ROLE } from "./migrations/0018-force-row-level-security.migration.ts";

/**
 * Defence in depth for tenant isolation. Every query names its tenant in code; `withTenantScope`
 * makes PostgreSQL check it too. It runs `fn` in one transaction that first switches to the
 * `bp_tenant` role and sets `bp.tenant_id` (both transaction-local, so the pooled connection
 * goes back clean), and the policies of migration 0011 then hide every other tenant's rows and
 * refuse writes of them, even from a query that forgot its `where tenant_id`.
 *
 * `fn` must run all its statements through the EntityManager it is given, with `em.execute(...)`
 * or `em.getConnection().execute(sql, params, method, em.getTransactionContext())`:
 * `getConnection().execute` without the transaction context takes another pooled connection,
 * outside the scope (and, on the embedded database's single connection, waits forever).
 * Keep the transaction short: no network calls (embedders, vendors) inside `fn`.
 *
 * Where the server gave no role (no CREATEROLE, see the migration), `fn` runs on a plain fork:
 * the queries are still scoped in code, and `openDatabase` has logged that once.
 */
export type TenantScopedDatabase = { orm: MikroORM; rowLevelSecurity: boolean };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function withTenantScope<T>(db: TenantScopedDatabase, tenantId: string, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const em = db.orm.em.fork();
  if (!db.rowLevelSecurity) return fn(em);
  return em.transactional(async (tx) => {
    // One round trip: `set_config('role', …, true)` is `set local role`. A tenant id that is not a
    // uuid (never one from a key) sets nothing, and the policies then show no rows at all.
    await tx.execute(`select set_config('role', ?, true), set_config('bp.tenant_id', ?, true)`, [TENANT_ROLE, uuid.test(tenantId) ? tenantId : ""]);
    return fn(tx);
  });
}

/**
 * Whether this database can scope by row-level security: the role exists, this user may switch
 * to it, and every tenant table has its policy. Answers the reason when it cannot.
 */
export async function probeRowLevelSecurity(orm: MikroORM): Promise<{ available: true } | { available: false; reason: string }> {
  try {
    return await orm.em.fork().transactional(async (tx) => {
      await tx.execute(`select set_config('role', ?, true)`, [TENANT_ROLE]);
      const rows = await tx.execute<{ tablename: string }[]>(`select tablename from pg_policies where schemaname = current_schema() and policyname = ?`, [TENANT_POLICY]);
      const covered = new Set(rows.map((r) => r.tablename));
      const missing = tenantTables.filter((t) => !covered.has(t.table)).map((t) => t.table);
      if (missing.length > 0) return { available: false as const, reason: `no ${TENANT_POLICY} policy on ${missing.join(", ")}` };
      return { available: true as const };
    });
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  }
}

/**
 * Whether the platform can work as `bp_platform` (migration 0018): this login may switch to it, and
 * every tenant table forces row-level security with its policy. Answers the reason when it cannot.
 */
export async function probePlatformRole(orm: MikroORM): Promise<{ available: true } | { available: false; reason: string }> {
  try {
    return await orm.em.fork().transactional(async (tx) => {
      await tx.execute(`select set_config('role', ?, true)`, [PLATFORM_ROLE]);
      const rows = await tx.execute<{ relname: string }[]>(
        `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.relforcerowsecurity
           and exists (select 1 from pg_policies p where p.schemaname = n.nspname and p.tablename = c.relname and p.policyname = ?)`,
        [PLATFORM_POLICY],
      );
      const forced = new Set(rows.map((r) => r.relname));
      const missing = tenantTables.filter((t) => !forced.has(t.table)).map((t) => t.table);
      if (missing.length > 0) return { available: false as const, reason: `row-level security is not forced with ${PLATFORM_POLICY} on ${missing.join(", ")}` };
      return { available: true as const };
    });
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  }
}
