/**
 * The one query for an end user's open session: the newest session of a user on a bot and channel
 * that has not ended, with the question it waits on. Vendor channels (the inbox) and the simple
 * `POST /chat` find their session with it; migration 0015's partial index serves it.
 */
import type { Connection } from "@mikro-orm/core";
import type { InputRequest } from "../../sdk/node-type.ts";

/** The user's open session, with the question it waits on: no second read to map a numbered answer to its choice. */
export type OpenSession = { id: string; input: InputRequest | null };

export type OpenSessionKey = { tenantId: string; botId: string; userId: string; channel: string };

/** The SQL alone, for callers that join it into a statement of their own (the inbox's claim); parameters from `openSessionParams`. */
export const OPEN_SESSION_SQL = `select id, position->'input' as input from conversation_session where tenant_id = ? and bot_id = ? and user_id = ? and channel = ? and status <> 'ended' order by updated_at desc limit 1`;
export const openSessionParams = (p: OpenSessionKey) => [p.tenantId, p.botId, p.userId, p.channel];

/** The user's open session on this bot and channel, or null. */
export async function findOpenSession(connection: Pick<Connection, "execute">, p: OpenSessionKey): Promise<OpenSession | null> {
  const rows = await connection.execute<OpenSession[]>(OPEN_SESSION_SQL, openSessionParams(p));
  return rows[0] ? { id: rows[0].id, input: rows[0].input ?? null } : null;
}
