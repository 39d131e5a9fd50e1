import { randomUUID } from "node:crypto";
import type { Database } from "../../kernel/persistence/database.ts";
import type { OutboundMessage } from "../../sdk/node-type.ts";
import { OPEN_SESSION_SQL, openSessionParams, type OpenSession } from "../conversations/open-session.ts";

/**
 * The `channel_message` ledger. Inbound rows make vendor redeliveries harmless: a message id is
 * claimed once, and a claim left by a node that died mid-turn expires so a redelivery may take it.
 * Outbound rows follow the vendor's status callbacks (sent, delivered, read, failed).
 */
/** How long a claim holds when its holder does not renew it: longer than a slow turn, short enough that a dead node's message is soon retried. */
export const CLAIM_SECONDS = 60;
/**
 * The queue's workers hold a short claim and renew it while they work (every third of it), so the
 * message of a node that died is taken over seconds later, however long a live turn takes.
 */
export const LEASE_SECONDS = 10;
export const LEASE_RENEW_MS = (LEASE_SECONDS * 1000) / 3;

/** `channel` is the ledger's; `sessionChannel` the user's conversations', when recorded under another name. */
export type ClaimParams = { tenantId: string; botId: string; channel: string; userId: string; vendorMessageId: string; leaseSeconds?: number; withOpenSession?: boolean; sessionChannel?: string };

/** A turn that a previous holder of the claim committed: what to send, and whether it was sent. */
export type CommittedTurn = { sessionId: string; messages: OutboundMessage[]; delivered: boolean };

// Vendors may report statuses out of order (read before delivered); a status never moves back.
const statusRank: Record<string, number> = { accepted: 0, queued: 0, sending: 0, sent: 1, delivered: 2, read: 3, received: 3, undelivered: 4, failed: 4 };

// The statements the ledger's writes share; `completeWithOutbound` puts both in one round trip.
const COMPLETE_INBOUND_SQL = `update channel_message set status = ?, session_id = ?, claimed_until = null, updated_at = now() where channel = ? and direction = 'inbound' and vendor_message_id = ?`;
// The same, with how the reply's send ended (`sent`, or `unknown` with why) when there was one.
const COMPLETE_WITH_REPLY_SQL = `update channel_message set status = ?, session_id = ?, claimed_until = null, reply_state = ?, error = coalesce(?, error), updated_at = now() where channel = ? and direction = 'inbound' and vendor_message_id = ?`;

/**
 * The send of an inbound message's reply (0034): `sending` from just before the channel is called
 * until the ledger records its reports (`sent`); a holder that finds `sending` after a takeover
 * cannot know whether the vendor got it and records `unknown` instead of sending it again.
 */
export type ReplyState = "sending" | "sent" | "unknown";
type OutboundRecord = { tenantId: string; botId: string; sessionId: string | null; channel: string; userId: string; vendorMessageId: string; status: string; error?: string };
/** An insert of outbound rows (redelivered sends are kept once) and its parameters. */
function insertOutbound(records: readonly OutboundRecord[]): { sql: string; params: unknown[] } {
  const now = new Date();
  return {
    sql: `insert into channel_message (id, tenant_id, bot_id, session_id, channel, direction, user_id, vendor_message_id, status, error, created_at)
      values ${records.map(() => "(?, ?, ?, ?, ?, 'outbound', ?, ?, ?, ?, ?)").join(", ")} on conflict (channel, direction, vendor_message_id) do nothing`,
    params: records.flatMap((r) => [randomUUID(), r.tenantId, r.botId, r.sessionId, r.channel, r.userId, r.vendorMessageId, r.status, r.error ?? null, now]),
  };
}

export type ChannelMessageRow = {
  id: string; direction: string; userId: string; vendorMessageId: string; status: string; error: string | null;
  sessionId: string | null; mediaType: string | null; mediaBytes: number | null; createdAt: string; updatedAt: string;
  /** Inbound only: how its reply's send ended (`unknown`: cut off before the vendor answered, and not sent again). */
  replyState: string | null;
};

export function createChannelMessageStore(db: Database) {
  // Plain statements need only the connection: no EntityManager is forked (its identity map and unit of work are unused).
  const sql = () => db.orm.em.getConnection();

  /**
   * `claimInbound`, telling also whether the claim was taken over (`takeover`: an earlier holder
   * died or gave it back, and may have committed the turn; see `committedTurn`) and when the
   * message was first claimed (`since`).
   */
  async function claim(p: ClaimParams): Promise<{ state: "claimed" | "done" | "busy"; takeover: boolean; since?: Date; open?: OpenSession | null; replyState?: ReplyState | null }> {
    const insert = `insert into channel_message (id, tenant_id, bot_id, channel, direction, user_id, vendor_message_id, status, claimed_until, created_at)
       values (?, ?, ?, ?, 'inbound', ?, ?, 'processing', now() + make_interval(secs => ?), ?)
       on conflict (channel, direction, vendor_message_id) do update set claimed_until = excluded.claimed_until, updated_at = now()
       where channel_message.status = 'processing' and channel_message.claimed_until < now()
       returning (xmax = 0) as inserted, created_at, reply_state`;
    // created_at on this node's clock, the clock the turn's history and session times are taken on.
    const params = [randomUUID(), p.tenantId, p.botId, p.channel, p.userId, p.vendorMessageId, p.leaseSeconds ?? CLAIM_SECONDS, new Date()];
    // With `withOpenSession` the turn's read of the user's open session rides in the same round trip.
    const rows = p.withOpenSession
      ? await sql().execute<{ inserted: boolean; created_at: string; reply_state: ReplyState | null; session_id: string | null; input: OpenSession["input"] }[]>(
        `with c as (${insert}) select c.inserted, c.created_at, c.reply_state, s.id as session_id, s.input from c left join lateral (${OPEN_SESSION_SQL}) s on true`,
        [...params, ...openSessionParams({ ...p, channel: p.sessionChannel ?? p.channel })],
      )
      : await sql().execute<{ inserted: boolean; created_at: string; reply_state: ReplyState | null; session_id?: undefined; input?: undefined }[]>(insert, params);
    if (rows[0]) {
      const open = p.withOpenSession ? (rows[0].session_id ? { id: rows[0].session_id, input: rows[0].input ?? null } : null) : undefined;
      return { state: "claimed", takeover: !rows[0].inserted, since: new Date(rows[0].created_at), replyState: rows[0].reply_state ?? null, ...(open !== undefined ? { open } : {}) };
    }
    const found = await sql().execute<{ status: string }[]>(
      `select status from channel_message where channel = ? and direction = 'inbound' and vendor_message_id = ?`, [p.channel, p.vendorMessageId],
    );
    return { state: found[0]?.status === "processing" ? "busy" : "done", takeover: false };
  }

  return {
    /**
     * `claimed` when this caller owns the message now; `done` when its turn has run; `busy` while
     * another worker holds a claim that has not expired (it may still finish, or may have died).
     */
    async claimInbound(p: ClaimParams): Promise<"claimed" | "done" | "busy"> {
      return (await claim(p)).state;
    },

    claim,

    /** Extends a claim its holder is still working on. */
    async renewInbound(p: { channel: string; vendorMessageId: string; leaseSeconds: number }): Promise<void> {
      await sql().execute(
        `update channel_message set claimed_until = now() + make_interval(secs => ?) where channel = ? and direction = 'inbound' and vendor_message_id = ? and status = 'processing'`,
        [p.leaseSeconds, p.channel, p.vendorMessageId], "run",
      );
    },

    /**
     * After a reclaim: the turn an earlier holder committed for this message before it died, found
     * in the session history (the turn's inbound entry, or the session it started), with its reply,
     * and whether that reply was sent (outbound rows recorded since). Without it a node dying between
     * the turn's commit and the ledger's would have the turn run twice, or its reply never sent.
     *
     * The inbound entry carries the vendor's message id (`ref`), so it is found exactly. Entries
     * written without one (before the id was kept) are matched as they were: by the user, the text
     * or choice, and time, the first entry with this text after the message was first claimed (both
     * times are taken on the first claimer's clock: its node runs the turn, as every node offers
     * `conversations` and local calls are preferred).
     */
    async committedTurn(p: { tenantId: string; botId: string; channel: string; userId: string; since: Date; ref?: string; text?: string; choice?: string; sessionChannel?: string }): Promise<CommittedTurn | undefined> {
      const since = p.since;
      const sessionChannel = p.sessionChannel ?? p.channel;
      const scope = `from conversation_message m join conversation_session s on s.id = m.session_id
         where s.tenant_id = ? and s.bot_id = ? and s.user_id = ? and s.channel = ? and m.tenant_id = ? and m.direction = 'inbound'`;
      const user = [p.tenantId, p.botId, p.userId, sessionChannel, p.tenantId];
      const answered = p.ref === undefined ? [] : await sql().execute<{ session_id: string; revision: number }[]>(
        `select m.session_id, m.revision ${scope} and m.message->>'ref' = ? order by m.id limit 1`, [...user, p.ref],
      );
      if (!answered[0]) {
        answered.push(...await sql().execute<{ session_id: string; revision: number }[]>(
          `select m.session_id, m.revision ${scope} and m.at >= ? and m.message->>'ref' is null
             and (m.message->>'text' = ? or m.message->>'choice' = ? or (? and m.message->>'choice' is not null))
           order by m.id limit 1`,
          [...user, since, p.text ?? null, p.choice ?? null, p.text !== undefined],
        ));
      }
      let found = answered[0];
      if (!found) {
        // A first message starts the session rather than answering in it: its turn is the session's
        // first. A session another message opened (both came at once, and this one lost) is not it.
        const started = await sql().execute<{ session_id: string; revision: number }[]>(
          `select s.id as session_id, (select min(revision) from conversation_message where session_id = s.id) as revision from conversation_session s
           where s.tenant_id = ? and s.bot_id = ? and s.user_id = ? and s.channel = ? and s.created_at >= ?
             and (?::text is null or s.variables->'context'->>'openingMessageId' is null or s.variables->'context'->>'openingMessageId' = ?::text)
           order by s.created_at limit 1`,
          [p.tenantId, p.botId, p.userId, sessionChannel, since, p.ref ?? null, p.ref ?? null],
        );
        found = started[0];
      }
      if (!found) return undefined;
      const outbound = await sql().execute<{ message: OutboundMessage }[]>(
        `select message from conversation_message where session_id = ? and tenant_id = ? and direction = 'outbound' and revision = ? order by id`,
        [found.session_id, p.tenantId, found.revision],
      );
      const sent = await sql().execute<unknown[]>(
        `select 1 from channel_message where bot_id = ? and channel = ? and user_id = ? and direction = 'outbound' and created_at >= ? limit 1`,
        [p.botId, p.channel, p.userId, p.since],
      );
      return { sessionId: found.session_id, messages: outbound.map((r) => r.message), delivered: sent.length > 0 };
    },

    async completeInbound(p: { channel: string; vendorMessageId: string; sessionId: string | null; status?: string }): Promise<void> {
      await sql().execute(COMPLETE_INBOUND_SQL, [p.status ?? "processed", p.sessionId, p.channel, p.vendorMessageId], "run");
    },

    /**
     * The turn's sends recorded and its inbound message marked processed, in one statement (one
     * round trip on every message's path, and the two land together or not at all).
     */
    async completeWithOutbound(p: { tenantId: string; botId: string; sessionId: string; channel: string; userId: string; vendorMessageId: string; reports: readonly { vendorMessageId: string; status: string; error?: string }[]; reply?: { state: "sent" | "unknown"; error?: string } }): Promise<void> {
      const [statement, completeParams] = p.reply
        ? [COMPLETE_WITH_REPLY_SQL, ["processed", p.sessionId, p.reply.state, p.reply.error ?? null, p.channel, p.vendorMessageId]]
        : [COMPLETE_INBOUND_SQL, ["processed", p.sessionId, p.channel, p.vendorMessageId]];
      if (p.reports.length === 0) {
        await sql().execute(statement, completeParams, "run");
        return;
      }
      const outbound = insertOutbound(p.reports.map((r) => ({ ...p, ...r })));
      await sql().execute(`with o as (${outbound.sql}) ${statement}`, [...outbound.params, ...completeParams], "run");
    },

    /**
     * Recorded just before the channel is asked to send the reply (with a hash of what is sent), or
     * cleared (`null`) when the call never reached the channel: see ReplyState.
     */
    async markReply(p: { channel: string; vendorMessageId: string; state: "sending" | null; hash?: string }): Promise<void> {
      await sql().execute(
        `update channel_message set reply_state = ?, reply_hash = coalesce(?, reply_hash), updated_at = now() where channel = ? and direction = 'inbound' and vendor_message_id = ?`,
        [p.state, p.hash ?? null, p.channel, p.vendorMessageId], "run",
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

    async recordOutbound(p: OutboundRecord): Promise<void> {
      const outbound = insertOutbound([p]);
      await sql().execute(outbound.sql, outbound.params, "run");
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
        `select id, direction, user_id, vendor_message_id, status, error, session_id, media_type, octet_length(media) as media_bytes, created_at, updated_at, reply_state
         from channel_message where tenant_id = ? and bot_id = ? and channel = ? order by created_at desc, id limit ?`,
        [p.tenantId, p.botId, p.channel, p.limit],
      );
      return rows.map((r) => ({
        id: String(r.id), direction: String(r.direction), userId: String(r.user_id), vendorMessageId: String(r.vendor_message_id), status: String(r.status),
        error: (r.error as string | null) ?? null, sessionId: (r.session_id as string | null) ?? null, mediaType: (r.media_type as string | null) ?? null,
        mediaBytes: r.media_bytes === null || r.media_bytes === undefined ? null : Number(r.media_bytes),
        createdAt: new Date(r.created_at as string).toISOString(), updatedAt: new Date(r.updated_at as string).toISOString(),
        replyState: (r.reply_state as string | null) ?? null,
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
