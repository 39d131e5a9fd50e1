import { randomUUID } from "node:crypto";
import type { Database } from "../../kernel/persistence/database.ts";
import type { InboundJob } from "./inbound-queue.ts";
import type { InboundFailure } from "./inbound-retry.ts";

/**
 * The `channel_dead_letter` table (0034): queued channel events that failed for good, per tenant,
 * with the job to run again and why it failed. Weighed: JetStream's own dead-letter stream (what
 * @moleculer/channels offers) cannot be listed per tenant nor replayed one by one without a
 * consumer per question, and the embedded default has no JetStream; the database is where every
 * other tenant record lives, behind the same row-level security.
 */
export type DeadLetterView = {
  id: string; botId: string | null; channel: string | null; code: string; reason: string; attempts: number;
  firstReceivedAt: string | null; status: "dead" | "replayed"; replays: number; replayedAt: string | null; createdAt: string;
};

export type DeadLetterRecord = { job: InboundJob; failure: InboundFailure; attempts: number; firstReceivedAt?: Date };

export function createDeadLetterStore(db: Database) {
  // Plain statements need only the connection: no EntityManager is forked.
  const sql = () => db.orm.em.getConnection();

  const view = (r: Record<string, unknown>): DeadLetterView => ({
    id: String(r.id), botId: (r.bot_id as string | null) ?? null, channel: (r.channel as string | null) ?? null, code: String(r.code), reason: String(r.reason),
    attempts: Number(r.attempts), firstReceivedAt: r.first_received_at ? new Date(r.first_received_at as string).toISOString() : null,
    status: r.status === "replayed" ? "replayed" : "dead", replays: Number(r.replays), replayedAt: r.replayed_at ? new Date(r.replayed_at as string).toISOString() : null,
    createdAt: new Date(r.created_at as string).toISOString(),
  });

  return {
    /**
     * Stores a dead letter under the tenant of the job's bot; false when the job names no bot that
     * still exists (the bot was deleted: nobody is left to show it to, or to answer).
     */
    async record(p: DeadLetterRecord): Promise<boolean> {
      const botId = typeof p.job.params.botId === "string" ? p.job.params.botId : undefined;
      const channel = typeof p.job.params.channel === "string" ? p.job.params.channel : null;
      if (!botId || !/^[0-9a-f-]{36}$/i.test(botId)) return false;
      const rows = await sql().execute<{ id: string }[]>(
        `insert into channel_dead_letter (id, tenant_id, bot_id, channel, job, code, reason, attempts, first_received_at)
         select ?, b.tenant_id, b.id, ?, ?, ?, ?, ?, ? from bot b where b.id = ? returning id`,
        [randomUUID(), channel, JSON.stringify(p.job), p.failure.code, p.failure.reason, p.attempts, p.firstReceivedAt ?? null, botId],
      );
      return rows.length > 0;
    },

    async list(p: { tenantId: string; status?: "dead" | "replayed"; limit: number }): Promise<DeadLetterView[]> {
      const rows = await sql().execute<Record<string, unknown>[]>(
        `select id, bot_id, channel, code, reason, attempts, first_received_at, status, replays, replayed_at, created_at from channel_dead_letter
         where tenant_id = ? and (?::text is null or status = ?::text) order by created_at desc, id limit ?`,
        [p.tenantId, p.status ?? null, p.status ?? null, p.limit],
      );
      return rows.map(view);
    },

    /** The jobs of the tenant's dead letters to replay: one (`id`), or every one not replayed yet. */
    async jobs(p: { tenantId: string; id?: string }): Promise<{ id: string; job: InboundJob }[]> {
      const rows = await sql().execute<{ id: string; job: InboundJob | string }[]>(
        p.id ? `select id, job from channel_dead_letter where tenant_id = ? and id = ?` : `select id, job from channel_dead_letter where tenant_id = ? and status = 'dead' order by created_at limit 1000`,
        p.id ? [p.tenantId, p.id] : [p.tenantId],
      );
      return rows.map((r) => ({ id: r.id, job: typeof r.job === "string" ? (JSON.parse(r.job) as InboundJob) : r.job }));
    },

    async markReplayed(p: { tenantId: string; id: string }): Promise<DeadLetterView | undefined> {
      const rows = await sql().execute<Record<string, unknown>[]>(
        `update channel_dead_letter set status = 'replayed', replays = replays + 1, replayed_at = now() where tenant_id = ? and id = ?
         returning id, bot_id, channel, code, reason, attempts, first_received_at, status, replays, replayed_at, created_at`,
        [p.tenantId, p.id],
      );
      return rows[0] ? view(rows[0]) : undefined;
    },
  };
}

export type DeadLetterStore = ReturnType<typeof createDeadLetterStore>;
