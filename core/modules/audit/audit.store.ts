import type { EntityManager } from "@mikro-orm/postgresql";
import type { AdminChange } from "../../kernel/gateway/admin-changes.ts";

/**
 * SQL for the audit log. Every statement names the tenant, and the service runs them inside
 * `withTenantScope`, so PostgreSQL checks it too.
 */
export type AuditEntry = {
  id: string; at: string; actor: AdminChange["actor"]; role: string | null; method: string; route: string;
  target: Record<string, string>; status: number; requestId: string | null;
};
export type AuditFilter = {
  /** A member's email or a key's label (part of it, any case), or a user or key id. */
  actor?: string;
  /** Part of the route pattern (`/keys`, `/v1/admin/webhooks`). */
  route?: string;
  method?: string;
  from?: string;
  to?: string;
  /** Entries older than this one (the last of the previous page): `at` and `id`. */
  before?: { at: string; id: string };
  limit: number;
};

type Row = {
  id: string; at: Date | string; actor_kind: AdminChange["actor"]["kind"]; actor_id: string | null; actor_label: string; role: string | null;
  method: string; route: string; target: Record<string, string>; status: number; request_id: string | null;
};

const columns = `id, at, actor_kind, actor_id, actor_label, role, method, route, target, status, request_id`;
const entryOf = (row: Row): AuditEntry => ({
  id: row.id, at: new Date(row.at).toISOString(), actor: { kind: row.actor_kind, id: row.actor_id, label: row.actor_label }, role: row.role,
  method: row.method, route: row.route, target: row.target, status: row.status, requestId: row.request_id,
});
/** `%` and `_` typed in a filter are meant literally. */
const likeEscaped = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createAuditStore(em: () => EntityManager) {
  // Inside withTenantScope `em()` is the scope's transaction: its context keeps the statement in it.
  const sql = <T extends object[]>(query: string, params: unknown[] = []) => {
    const manager = em();
    return manager.getConnection().execute<T>(query, params, "all", manager.getTransactionContext());
  };

  return {
    async record(change: AdminChange): Promise<void> {
      await sql(
        `insert into audit_entry (id, tenant_id, at, actor_kind, actor_id, actor_label, role, method, route, target, status, request_id)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)`,
        [crypto.randomUUID(), change.tenantId, change.at, change.actor.kind, change.actor.id, change.actor.label.slice(0, 320), change.role, change.method,
          change.route.slice(0, 300), JSON.stringify(change.target), change.status, change.requestId.slice(0, 64)],
      );
    },

    /** Newest first; one more than `limit` is read to tell whether a next page exists. */
    async list(tenantId: string, filter: AuditFilter): Promise<{ entries: AuditEntry[]; more: boolean }> {
      const where = ["tenant_id = ?"];
      const params: unknown[] = [tenantId];
      if (filter.actor !== undefined) {
        where.push("(actor_label ilike ? or actor_id = ?)");
        params.push(likeEscaped(filter.actor), filter.actor);
      }
      if (filter.route !== undefined) { where.push("route ilike ?"); params.push(likeEscaped(filter.route)); }
      if (filter.method !== undefined) { where.push("method = ?"); params.push(filter.method); }
      if (filter.from !== undefined) { where.push("at >= ?"); params.push(filter.from); }
      if (filter.to !== undefined) { where.push("at < ?"); params.push(filter.to); }
      if (filter.before !== undefined) { where.push("(at, id) < (?::timestamptz, ?::uuid)"); params.push(filter.before.at, filter.before.id); }
      const rows = await sql<Row[]>(`select ${columns} from audit_entry where ${where.join(" and ")} order by at desc, id desc limit ?`, [...params, filter.limit + 1]);
      return { entries: rows.slice(0, filter.limit).map(entryOf), more: rows.length > filter.limit };
    },
  };
}
export type AuditStore = ReturnType<typeof createAuditStore>;
