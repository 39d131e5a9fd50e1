import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * SQL for handoffs, notes, and the inbox's reads of conversations. Every statement names the
 * tenant; the service runs them inside `withTenantScope`, so PostgreSQL checks it too.
 */
export type HandoffStatus = "waiting" | "claimed" | "released" | "closed" | "timed_out";
export type Handoff = {
  id: string; botId: string; sessionId: string; channel: string; reason: string | null; source: string; summary: string | null;
  status: HandoffStatus; requestedAt: string; claimedBy: { id: string; name: string } | null; claimedAt: string | null;
  resolvedAt: string | null; resolvedBy: string | null;
};
export type Note = { id: string; sessionId: string; author: { id: string; name: string }; text: string; createdAt: string };

export type ConversationFilter = {
  botId?: string; channel?: string; status?: "active" | "waiting_human" | "ended";
  /** Only conversations waiting for a person (claimed or not). */
  waiting?: boolean;
  /** Only conversations this agent claimed. */
  claimedBy?: string;
  from?: Date; to?: Date;
  /** Words in the messages, or in the user's id. */
  q?: string;
  limit: number;
  /** Paging: conversations last changed before this instant. */
  before?: Date;
};

export type ConversationSummary = {
  sessionId: string; botId: string; botName: string; userId: string; channel: string; status: string;
  startedAt: string; updatedAt: string; lastMessage: { direction: string; text: string; at: string } | null;
  handoff: Pick<Handoff, "id" | "status" | "reason" | "requestedAt" | "claimedBy"> | null;
};

type HandoffRow = {
  id: string; bot_id: string; session_id: string; channel: string; reason: string | null; source: string; summary: string | null; status: HandoffStatus;
  requested_at: Date | string; claimed_by_id: string | null; claimed_by_name: string | null; claimed_at: Date | string | null;
  resolved_at: Date | string | null; resolved_by_name: string | null;
};

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));
const handoffColumns = `id, bot_id, session_id, channel, reason, source, summary, status, requested_at, claimed_by_id, claimed_by_name, claimed_at, resolved_at, resolved_by_name`;

const handoffOf = (r: HandoffRow): Handoff => ({
  id: r.id, botId: r.bot_id, sessionId: r.session_id, channel: r.channel, reason: r.reason, source: r.source, summary: r.summary, status: r.status,
  requestedAt: iso(r.requested_at), claimedBy: r.claimed_by_id ? { id: r.claimed_by_id, name: r.claimed_by_name ?? r.claimed_by_id } : null,
  claimedAt: isoOrNull(r.claimed_at), resolvedAt: isoOrNull(r.resolved_at), resolvedBy: r.resolved_by_name,
});

/** A message's words as the inbox previews them (the user's text or choice, the bot's text or image). */
export function messageText(message: Record<string, unknown>): string {
  for (const key of ["text", "choice", "alt", "url"]) if (typeof message[key] === "string") return message[key] as string;
  return "";
}

export function createHandoffStore(em: () => EntityManager) {
  const sql = <T extends object[]>(query: string, params: unknown[] = []) => {
    const manager = em();
    return manager.getConnection().execute<T>(query, params, "all", manager.getTransactionContext());
  };

  return {
    /** Records a request for a person; a conversation already waiting keeps its first request. */
    async open(tenantId: string, h: { botId: string; sessionId: string; channel: string; reason: string | null; source: string; summary: string | null }): Promise<Handoff | undefined> {
      const rows = await sql<HandoffRow[]>(
        `insert into handoff (id, tenant_id, bot_id, session_id, channel, reason, source, summary, status) values (?, ?, ?, ?, ?, ?, ?, ?, 'waiting')
         on conflict (session_id) where status in ('waiting', 'claimed') do nothing returning ${handoffColumns}`,
        [crypto.randomUUID(), tenantId, h.botId, h.sessionId, h.channel, h.reason?.slice(0, 500) ?? null, h.source.slice(0, 100), h.summary],
      );
      return rows[0] ? handoffOf(rows[0]) : undefined;
    },

    /** The conversation's open handoff (waiting or claimed), if any. */
    async openOf(tenantId: string, sessionId: string): Promise<Handoff | undefined> {
      const rows = await sql<HandoffRow[]>(`select ${handoffColumns} from handoff where tenant_id = ? and session_id = ? and status in ('waiting', 'claimed')`, [tenantId, sessionId]);
      return rows[0] ? handoffOf(rows[0]) : undefined;
    },

    /** Every handoff of the conversation, oldest first. */
    async ofSession(tenantId: string, sessionId: string): Promise<Handoff[]> {
      const rows = await sql<HandoffRow[]>(`select ${handoffColumns} from handoff where tenant_id = ? and session_id = ? order by requested_at`, [tenantId, sessionId]);
      return rows.map(handoffOf);
    },

    /** Claims a waiting handoff; undefined when it is not waiting any more (another agent was first). */
    async claim(tenantId: string, sessionId: string, agent: { id: string; name: string }): Promise<Handoff | undefined> {
      const rows = await sql<HandoffRow[]>(
        `update handoff set status = 'claimed', claimed_by_id = ?, claimed_by_name = ?, claimed_at = now()
         where tenant_id = ? and session_id = ? and status = 'waiting' returning ${handoffColumns}`,
        [agent.id, agent.name.slice(0, 200), tenantId, sessionId],
      );
      return rows[0] ? handoffOf(rows[0]) : undefined;
    },

    /** Ends the open handoff as `status`; undefined when there was none (already ended). */
    async resolve(tenantId: string, sessionId: string, status: Exclude<HandoffStatus, "waiting" | "claimed">, by: string | null, onlyIf?: "waiting"): Promise<Handoff | undefined> {
      const rows = await sql<HandoffRow[]>(
        `update handoff set status = ?, resolved_at = now(), resolved_by_name = ?
         where tenant_id = ? and session_id = ? and status in (${onlyIf ? `'waiting'` : `'waiting', 'claimed'`}) returning ${handoffColumns}`,
        [status, by?.slice(0, 200) ?? null, tenantId, sessionId],
      );
      return rows[0] ? handoffOf(rows[0]) : undefined;
    },

    /** Unclaimed handoffs past their bot's timeout (`handoff.timeoutMinutes`, else `defaultMinutes`), every tenant's: the sweeper's read. */
    async overdue(defaultMinutes: number, at: Date = new Date(), limit = 100): Promise<(Handoff & { tenantId: string; rule: Record<string, unknown> | null })[]> {
      const rows = await sql<(HandoffRow & { tenant_id: string; rule: Record<string, unknown> | null })[]>(
        `select ${handoffColumns.split(", ").map((c) => `h.${c}`).join(", ")}, h.tenant_id, b.config->'handoff' as rule
         from handoff h join bot b on b.id = h.bot_id
         where h.status = 'waiting' and h.requested_at < ?::timestamptz - make_interval(mins => coalesce((b.config->'handoff'->>'timeoutMinutes')::int, ?))
         order by h.requested_at limit ?`,
        [at, defaultMinutes, limit],
      );
      return rows.map((r) => ({ ...handoffOf(r), tenantId: r.tenant_id, rule: r.rule }));
    },

    async addNote(tenantId: string, sessionId: string, author: { id: string; name: string }, text: string): Promise<Note> {
      const id = crypto.randomUUID();
      const rows = await sql<{ created_at: Date | string }[]>(
        `insert into handoff_note (id, tenant_id, session_id, author_id, author_name, text) values (?, ?, ?, ?, ?, ?) returning created_at`,
        [id, tenantId, sessionId, author.id, author.name.slice(0, 200), text],
      );
      return { id, sessionId, author, text, createdAt: iso(rows[0]!.created_at) };
    },

    async notes(tenantId: string, sessionId: string): Promise<Note[]> {
      const rows = await sql<{ id: string; session_id: string; author_id: string; author_name: string; text: string; created_at: Date | string }[]>(
        `select id, session_id, author_id, author_name, text, created_at from handoff_note where tenant_id = ? and session_id = ? order by created_at, id`, [tenantId, sessionId]);
      return rows.map((r) => ({ id: r.id, sessionId: r.session_id, author: { id: r.author_id, name: r.author_name }, text: r.text, createdAt: iso(r.created_at) }));
    },

    async waitingCount(tenantId: string): Promise<{ waiting: number; claimed: number }> {
      const rows = await sql<{ status: string; n: string | number }[]>(
        `select status, count(*) as n from handoff where tenant_id = ? and status in ('waiting', 'claimed') group by status`, [tenantId]);
      const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
      return { waiting: count("waiting"), claimed: count("claimed") };
    },

    /** The tenant's conversations, most recently changed first, with their open handoff and last message. */
    async conversations(tenantId: string, f: ConversationFilter): Promise<ConversationSummary[]> {
      const where = ["s.tenant_id = ?"];
      const params: unknown[] = [tenantId];
      if (f.botId) { where.push("s.bot_id = ?"); params.push(f.botId); }
      if (f.channel) { where.push("s.channel = ?"); params.push(f.channel); }
      if (f.status) { where.push("s.status = ?"); params.push(f.status); }
      if (f.waiting) where.push("h.id is not null");
      if (f.claimedBy) { where.push("h.claimed_by_id = ?"); params.push(f.claimedBy); }
      if (f.from) { where.push("s.updated_at >= ?"); params.push(f.from); }
      if (f.to) { where.push("s.created_at < ?"); params.push(f.to); }
      if (f.before) { where.push("s.updated_at < ?"); params.push(f.before); }
      if (f.q) {
        // The words are a parameter, with LIKE's own wildcards escaped: they are searched for, not run.
        const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push(`(s.user_id ilike ? or exists (select 1 from conversation_message m where m.session_id = s.id and m.tenant_id = s.tenant_id and (m.message->>'text' ilike ? or m.message->>'choice' ilike ?)))`);
        params.push(like, like, like);
      }
      params.push(f.limit);
      const rows = await sql<{
        id: string; bot_id: string; bot_name: string; user_id: string; channel: string; status: string; created_at: Date | string; updated_at: Date | string;
        last_direction: string | null; last_message: Record<string, unknown> | null; last_at: Date | string | null;
        h_id: string | null; h_status: HandoffStatus | null; h_reason: string | null; h_requested_at: Date | string | null; h_claimed_by_id: string | null; h_claimed_by_name: string | null;
      }[]>(
        `select s.id, s.bot_id, b.name as bot_name, s.user_id, s.channel, s.status, s.created_at, s.updated_at,
           last.direction as last_direction, last.message as last_message, last.at as last_at,
           h.id as h_id, h.status as h_status, h.reason as h_reason, h.requested_at as h_requested_at, h.claimed_by_id as h_claimed_by_id, h.claimed_by_name as h_claimed_by_name
         from conversation_session s
         join bot b on b.id = s.bot_id
         left join handoff h on h.session_id = s.id and h.status in ('waiting', 'claimed')
         left join lateral (select m.direction, m.message, m.at from conversation_message m where m.session_id = s.id order by m.id desc limit 1) last on true
         where ${where.join(" and ")}
         order by s.updated_at desc limit ?`,
        params,
      );
      return rows.map((r) => ({
        sessionId: r.id, botId: r.bot_id, botName: r.bot_name, userId: r.user_id, channel: r.channel, status: r.status,
        startedAt: iso(r.created_at), updatedAt: iso(r.updated_at),
        lastMessage: r.last_message && r.last_at && r.last_direction ? { direction: r.last_direction, text: messageText(r.last_message).slice(0, 200), at: iso(r.last_at) } : null,
        handoff: r.h_id && r.h_status && r.h_requested_at
          ? { id: r.h_id, status: r.h_status, reason: r.h_reason, requestedAt: iso(r.h_requested_at), claimedBy: r.h_claimed_by_id ? { id: r.h_claimed_by_id, name: r.h_claimed_by_name ?? r.h_claimed_by_id } : null }
          : null,
      }));
    },

    /** One conversation's record as the inbox shows it beside the transcript. */
    async session(tenantId: string, sessionId: string): Promise<{
      sessionId: string; botId: string; botName: string; userId: string; channel: string; status: string; flowVersion: string;
      variables: Record<string, unknown>; position: { nodeId: string | null }; startedAt: string; updatedAt: string; endedAt: string | null;
    } | undefined> {
      const rows = await sql<{
        id: string; bot_id: string; bot_name: string; user_id: string; channel: string; status: string; flow_version: string; variables: Record<string, unknown>;
        position: { nodeId: string | null }; created_at: Date | string; updated_at: Date | string; ended_at: Date | string | null;
      }[]>(
        `select s.id, s.bot_id, b.name as bot_name, s.user_id, s.channel, s.status, s.flow_version, s.variables, s.position, s.created_at, s.updated_at, s.ended_at
         from conversation_session s join bot b on b.id = s.bot_id where s.tenant_id = ? and s.id = ?`, [tenantId, sessionId]);
      const r = rows[0];
      if (!r) return undefined;
      return {
        sessionId: r.id, botId: r.bot_id, botName: r.bot_name, userId: r.user_id, channel: r.channel, status: r.status, flowVersion: r.flow_version,
        variables: r.variables, position: { nodeId: r.position?.nodeId ?? null }, startedAt: iso(r.created_at), updatedAt: iso(r.updated_at), endedAt: isoOrNull(r.ended_at),
      };
    },

    async transcript(tenantId: string, sessionId: string, limit: number): Promise<{ direction: string; nodeId: string | null; at: string; revision: number; message: Record<string, unknown> }[]> {
      const rows = await sql<{ direction: string; node_id: string | null; at: Date | string; revision: number; message: Record<string, unknown> }[]>(
        `select * from (select id, direction, node_id, at, revision, message from conversation_message where tenant_id = ? and session_id = ? order by id desc limit ?) t order by id`,
        [tenantId, sessionId, limit]);
      return rows.map((r) => ({ direction: r.direction, nodeId: r.node_id, at: iso(r.at), revision: r.revision, message: r.message }));
    },
  };
}
export type HandoffStore = ReturnType<typeof createHandoffStore>;
