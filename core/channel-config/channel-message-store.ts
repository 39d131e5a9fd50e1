import { randomUUID } from "node:crypto";
import type { Database } from "../persistence/database.ts";

/**
 * The `channel_message` ledger. Inbound rows make vendor redeliveries harmless: a message id is
 * claimed once, and a claim left by a node that died mid-turn expires so a redelivery may take it.
 * Outbound rows follow the vendor's status callbacks (sent, delivered, read, failed).
 */
/** How long a claim holds: longer than a slow turn, short enough that a dead node's message is soon retried. */
export const CLAIM_SECONDS = 60;

// Vendors may report statuses out of order (read before delivered); a status never moves back.
const statusRank: Record<string, number> = { accepted: 0, queued: 0, sending: 0, sent: 1, delivered: 2, read: 3, received: 3, undelivered: 4, failed: 4 };

export type ChannelMessageRow = {
  id: string; direction: string; userId: string; vendorMessageId: string; status: string; error: string | null;
  sessionId: string | null; mediaType: string | null; mediaBytes: number | null; createdAt: string; updatedAt: string;
};

export function createChannelMessageStore(db: Database) {
  const sql = () => db.orm.em.fork().getConnection();

  return {
    /**
     * `claimed` when this caller owns the message now; `done` when its turn has run; `busy` while
     * another worker holds a claim that has not expired (it may still finish, or may have died).
     */
    async claimInbound(p: { tenantId: string; botId: string; channel: string; userId: string; vendorMessageId: string }): Promise<"claimed" | "done" | "busy"> {
      const rows = await sql().execute<{ id: string }[]>(
        `insert into channel_message (id, tenant_id, bot_id, channel, direction, user_id, vendor_message_id, status, claimed_until)
         values (?, ?, ?, ?, 'inbound', ?, ?, 'processing', now() + make_interval(secs => ?))
         on conflict (channel, direction, vendor_message_id) do update set claimed_until = excluded.claimed_until, updated_at = now()
         where channel_message.status = 'processing' and channel_message.claimed_until < now()
         returning id`,
        [randomUUID(), p.tenantId, p.botId, p.channel, p.userId, p.vendorMessageId, CLAIM_SECONDS],
      );
      if (rows.length > 0) return "claimed";
      const found = await sql().execute<{ status: string }[]>(
        `select status from channel_message where channel = ? and direction = 'inbound' and vendor_message_id = ?`, [p.channel, p.vendorMessageId],
      );
      return found[0]?.status === "processing" ? "busy" : "done";
    },

    async completeInbound(p: { channel: string; vendorMessageId: string; sessionId: string | null; status?: string }): Promise<void> {
      await sql().execute(
        `update channel_message set status = ?, session_id = ?, claimed_until = null, updated_at = now() where channel = ? and direction = 'inbound' and vendor_message_id = ?`,
        [p.status ?? "processed", p.sessionId, p.channel, p.vendorMessageId], "run",
      );
    },

    /** A failed turn gives its claim back at once, so the vendor's or the queue's redelivery runs it. */
    async releaseInbound(p: { channel: string; vendorMessageId: string }): Promise<void> {
      await sql().execute(
        `update channel_message set claimed_until = now() - interval '1 second', updated_at = now() where channel = ? and direction = 'inbound' and vendor_message_id = ? and status = 'processing'`,
        [p.channel, p.vendorMessageId], "run",
      );
    },

    async attachMedia(p: { channel: string; vendorMessageId: string; mediaType: string; media: Buffer }): Promise<void> {
      await sql().execute(
        `update channel_message set media_type = ?, media = ?, updated_at = now() where channel = ? and direction = 'inbound' and vendor_message_id = ?`,
        [p.mediaType, p.media, p.channel, p.vendorMessageId], "run",
      );
    },

    async recordOutbound(p: { tenantId: string; botId: string; sessionId: string | null; channel: string; userId: string; vendorMessageId: string; status: string; error?: string }): Promise<void> {
      await sql().execute(
        `insert into channel_message (id, tenant_id, bot_id, session_id, channel, direction, user_id, vendor_message_id, status, error)
         values (?, ?, ?, ?, ?, 'outbound', ?, ?, ?, ?) on conflict (channel, direction, vendor_message_id) do nothing`,
        [randomUUID(), p.tenantId, p.botId, p.sessionId, p.channel, p.userId, p.vendorMessageId, p.status, p.error ?? null], "run",
      );
    },

    /** Applies a vendor status callback to the outbound message it names; false when it names none. */
    async updateStatus(p: { botId: string; channel: string; vendorMessageId: string; status: string; error?: string }): Promise<boolean> {
      const rows = await sql().execute<{ status: string }[]>(
        `select status from channel_message where bot_id = ? and channel = ? and direction = 'outbound' and vendor_message_id = ?`,
        [p.botId, p.channel, p.vendorMessageId],
      );
      if (!rows[0]) return false;
      if ((statusRank[p.status] ?? 0) < (statusRank[rows[0].status] ?? 0)) return true;
      await sql().execute(
        `update channel_message set status = ?, error = coalesce(?, error), updated_at = now() where bot_id = ? and channel = ? and direction = 'outbound' and vendor_message_id = ?`,
        [p.status, p.error ?? null, p.botId, p.channel, p.vendorMessageId], "run",
      );
      return true;
    },

    async list(p: { tenantId: string; botId: string; channel: string; limit: number }): Promise<ChannelMessageRow[]> {
      const rows = await sql().execute<Record<string, unknown>[]>(
        `select id, direction, user_id, vendor_message_id, status, error, session_id, media_type, octet_length(media) as media_bytes, created_at, updated_at
         from channel_message where tenant_id = ? and bot_id = ? and channel = ? order by created_at desc, id limit ?`,
        [p.tenantId, p.botId, p.channel, p.limit],
      );
      return rows.map((r) => ({
        id: String(r.id), direction: String(r.direction), userId: String(r.user_id), vendorMessageId: String(r.vendor_message_id), status: String(r.status),
        error: (r.error as string | null) ?? null, sessionId: (r.session_id as string | null) ?? null, mediaType: (r.media_type as string | null) ?? null,
        mediaBytes: r.media_bytes === null || r.media_bytes === undefined ? null : Number(r.media_bytes),
        createdAt: new Date(r.created_at as string).toISOString(), updatedAt: new Date(r.updated_at as string).toISOString(),
      }));
    },

    async setOptOut(p: { botId: string; channel: string; userId: string; optedOut: boolean }): Promise<void> {
      if (p.optedOut) {
        await sql().execute(`insert into channel_opt_out (bot_id, channel, user_id) values (?, ?, ?) on conflict do nothing`, [p.botId, p.channel, p.userId], "run");
      } else {
        await sql().execute(`delete from channel_opt_out where bot_id = ? and channel = ? and user_id = ?`, [p.botId, p.channel, p.userId], "run");
      }
    },

    async isOptedOut(p: { botId: string; channel: string; userId: string }): Promise<boolean> {
      const rows = await sql().execute<unknown[]>(`select 1 from channel_opt_out where bot_id = ? and channel = ? and user_id = ?`, [p.botId, p.channel, p.userId]);
      return rows.length > 0;
    },
  };
}

export type ChannelMessageStore = ReturnType<typeof createChannelMessageStore>;
