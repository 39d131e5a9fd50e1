/**
 * For channels the platform cannot push to (a phone call answered one webhook at a time): what was
 * said to a user since the channel last looked. The channel keeps the cursor (a session revision,
 * for example in the URL it asks the vendor to call back on) and asks again; the conversation's own
 * history is the queue, so any node answers and nothing is kept beside it.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { InputRequest, OutboundMessage } from "../../sdk/node-type.ts";
import type { SessionStatus } from "../flow/session-store.ts";

export type SaidSinceParams = { tenantId: string; botId: string; channel: string; userId: string; after: number };

export type SaidSince = {
  /** The user's latest session on this bot and channel (ended ones included), or null when they have none. */
  sessionId: string | null;
  status: SessionStatus | null;
  /** What the bot waits for, when it waits for the user. */
  input: InputRequest | null;
  /** The cursor for the next look: everything up to this revision is in `messages` or was before `after`. */
  revision: number;
  /** Outbound messages (the bot's and people's) with a revision after `after`, oldest first. */
  messages: OutboundMessage[];
};

/** Bounds one answer: a channel that fell far behind gets the last ones. */
const MAX_MESSAGES = 50;

export async function saidSince(em: EntityManager, p: SaidSinceParams): Promise<SaidSince> {
  // The session is read first, then only history up to its revision: a turn committed between the
  // two reads has a later revision and comes with the next look (a turn writes both in one statement).
  const sessions = await em.execute<{ id: string; status: SessionStatus; revision: number; input: InputRequest | null }[]>(
    `select id, status, revision, position->'input' as input from conversation_session
      where tenant_id = ? and bot_id = ? and user_id = ? and channel = ? order by updated_at desc limit 1`,
    [p.tenantId, p.botId, p.userId, p.channel],
  );
  const session = sessions[0];
  if (!session) return { sessionId: null, status: null, input: null, revision: p.after, messages: [] };
  const revision = Number(session.revision);
  const rows = revision > p.after
    ? await em.execute<{ message: OutboundMessage }[]>(
      `select message from (select id, message from conversation_message
        where session_id = ? and tenant_id = ? and direction = 'outbound' and revision > ? and revision <= ? order by id desc limit ?) recent order by id asc`,
      [session.id, p.tenantId, p.after, revision, MAX_MESSAGES],
    )
    : [];
  return {
    sessionId: session.id, status: session.status, input: session.status === "ended" ? null : session.input ?? null,
    revision: Math.max(revision, p.after), messages: rows.map((r) => r.message),
  };
}
