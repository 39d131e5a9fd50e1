import type { EntityManager } from "@mikro-orm/postgresql";
import { NotFoundError } from "../../sdk/platform-error.ts";
import { revisionConflict, sessionAlreadyOpen, type HistoryEntry, type SessionRecord, type SessionStore } from "../flow/session-store.ts";

type SessionRow = {
  id: string; tenant_id: string; bot_id: string; user_id: string; channel: string; flow_version: string; status: SessionRecord["status"];
  variables: SessionRecord["variables"]; position: SessionRecord["position"]; revision: number; created_at: Date; updated_at: Date; ended_at: Date | null;
};

const columns = `id, tenant_id, bot_id, user_id, channel, flow_version, status, variables, position, revision, created_at, updated_at, ended_at`;

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id, tenantId: row.tenant_id, botId: row.bot_id, userId: row.user_id, channel: row.channel, flowVersion: row.flow_version,
    status: row.status, variables: row.variables, position: row.position, revision: row.revision,
    createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at), endedAt: row.ended_at ? new Date(row.ended_at) : undefined,
  };
}

/** The unique index that keeps one open session per user on the channels that ask for it (migration 0017). */
const ONE_OPEN_SESSION_INDEX = "conversation_session_one_open_per_user";

/** Whether `error` is PostgreSQL's unique violation (23505) of `constraint`; MikroORM keeps both fields. */
function violates(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === "23505" && e.constraint === constraint;
}

/**
 * Sessions in PostgreSQL. A turn's write is one transaction: an UPDATE guarded by the revision it
 * read (so a racing turn on another node loses cleanly with REVISION_CONFLICT) and the INSERT of
 * the turn's history. Every read names the tenant.
 */
export class PostgresSessionStore implements SessionStore {
  readonly #em: () => EntityManager;

  constructor(em: () => EntityManager) {
    this.#em = em;
  }

  async create(record: SessionRecord, history: readonly HistoryEntry[] = []): Promise<SessionRecord> {
    // One statement: the session and its first history rows land together or not at all.
    const insertSession = `insert into conversation_session (${columns}, one_open_per_user) values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?) returning id`;
    const sessionParams = [record.id, record.tenantId, record.botId, record.userId, record.channel, record.flowVersion, record.status, JSON.stringify(record.variables), JSON.stringify(record.position), record.revision, record.createdAt, record.updatedAt, record.endedAt ?? null, record.oneOpenPerUser === true];
    try {
      if (history.length === 0) {
        await this.#em().getConnection().execute(insertSession, sessionParams, "run");
      } else {
        const { sql, params } = historyRows(record.tenantId, history);
        await this.#em().getConnection().execute(`with s as (${insertSession}) ${sql.replace("from (values", "from s cross join (values")}`, [...sessionParams, ...params], "run");
      }
    } catch (error) {
      if (violates(error, ONE_OPEN_SESSION_INDEX)) throw sessionAlreadyOpen(record.botId, record.channel);
      throw error;
    }
    return record;
  }

  /**
   * A read in the EntityManager's transaction when it has one: a store made on withTenantScope's
   * EntityManager reads under the tenant's row-level security. (Writes are single statements on
   * the turn's hot path and stay outside any scope.)
   */
  #read<T extends object[]>(query: string, params: unknown[]): Promise<T> {
    const em = this.#em();
    return em.getConnection().execute<T>(query, params, "all", em.getTransactionContext());
  }

  async get(tenantId: string, id: string): Promise<SessionRecord | undefined> {
    const rows = await this.#read<SessionRow[]>(`select ${columns} from conversation_session where id = ? and tenant_id = ?`, [id, tenantId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /**
   * One statement, so one round trip: the UPDATE is guarded by the revision read, and the history
   * rows are inserted only from the row it updated. Zero rows updated means another turn won.
   */
  async compareAndSet(id: string, expectedRevision: number, next: SessionRecord, history: readonly HistoryEntry[] = []): Promise<SessionRecord> {
    const stored = { ...next, id, revision: expectedRevision + 1 };
    const update = `update conversation_session set status = ?, variables = ?::jsonb, position = ?::jsonb, revision = ?, updated_at = ?, ended_at = ?
      where id = ? and tenant_id = ? and revision = ? returning id`;
    const updateParams = [stored.status, JSON.stringify(stored.variables), JSON.stringify(stored.position), stored.revision, stored.updatedAt, stored.endedAt ?? null, id, next.tenantId, expectedRevision];
    let sql = `with u as (${update}) select count(*)::int as updated from u`;
    let params: unknown[] = updateParams;
    if (history.length > 0) {
      const rows = historyRows(next.tenantId, history);
      sql = `with u as (${update}), h as (${rows.sql.replace("from (values", "from u cross join (values")} returning 1) select (select count(*)::int from u) as updated`;
      params = [...updateParams, ...rows.params];
    }
    const result = await this.#em().getConnection().execute<{ updated: number }[]>(sql, params);
    if (result[0]?.updated !== 1) {
      const current = await this.#em().getConnection().execute<{ revision: number }[]>(`select revision from conversation_session where id = ? and tenant_id = ?`, [id, next.tenantId]);
      if (!current[0]) throw new NotFoundError("SESSION_NOT_FOUND", "Session");
      throw revisionConflict(id, expectedRevision, current[0].revision);
    }
    return stored;
  }

  async history(tenantId: string, id: string, options: { limit?: number } = {}): Promise<HistoryEntry[]> {
    const exists = await this.get(tenantId, id);
    if (!exists) throw new NotFoundError("SESSION_NOT_FOUND", "Session");
    const limit = Math.min(options.limit ?? 1000, 1000);
    const rows = await this.#read<{ session_id: string; direction: HistoryEntry["direction"]; node_id: string | null; at: Date; revision: number; message: HistoryEntry["message"] }[]>(
      `select * from (select id, session_id, direction, node_id, at, revision, message from conversation_message
        where session_id = ? and tenant_id = ? order by id desc limit ?) recent order by id asc`,
      [id, tenantId, limit],
    );
    return rows.map((r) => ({ sessionId: r.session_id, direction: r.direction, nodeId: r.node_id, at: new Date(r.at), revision: r.revision, message: r.message }));
  }
}

/** `insert … select … from (values …)`: callers splice in the row the history belongs to. */
function historyRows(tenantId: string, history: readonly HistoryEntry[]): { sql: string; params: unknown[] } {
  const values = history.map(() => "(?::uuid, ?::uuid, ?::varchar, ?::varchar, ?::int, ?::jsonb, ?::timestamptz)").join(", ");
  return {
    sql: `insert into conversation_message (session_id, tenant_id, direction, node_id, revision, message, at)
      select v.* from (values ${values}) as v(session_id, tenant_id, direction, node_id, revision, message, at)`,
    params: history.flatMap((h) => [h.sessionId, tenantId, h.direction, h.nodeId, h.revision, JSON.stringify(h.message), h.at]),
  };
}

