import type { ServiceBroker } from "moleculer";
import type { ChatReply, MessageParams, StartParams } from "../conversations/conversations.service.ts";
import type { Database } from "../../kernel/persistence/database.ts";
import type { InputRequest } from "../../sdk/node-type.ts";
import { findOpenSession, type OpenSession } from "../conversations/open-session.ts";

export type ChannelTurnParams = {
  tenantId: string; botId: string; channel: string;
  /** The end user as the channel knows them, namespaced by channel (`sms:+15551234567`, `voice:CA…`). */
  userId: string;
  text?: string; choice?: string;
  /** The vendor's id of the message, kept with its history entry (see channel-message-store's committedTurn). */
  ref?: string;
  context?: Record<string, unknown>;
  /** The channel allows one open session per user (a new one racing another is refused: SESSION_ALREADY_OPEN). */
  oneOpenPerUser?: boolean;
  /** How long the turn may take (a slow model's), when longer than the broker's default request timeout. */
  timeoutMs?: number;
};

export type ChannelTurnReply = ChatReply & { started: boolean };

export type { OpenSession } from "../conversations/open-session.ts";

/**
 * One conversation turn for a vendor channel, where the user is known by a phone number rather
 * than a session id: the user's open session takes the message, or a new session starts.
 *
 * A message that opens a conversation starts it and is not taken as an answer: "hi" on a
 * messaging channel should get the greeting, not be stored as the user's name.
 *
 * `open` is the user's open session when the caller read it already (null: none is open).
 */
export async function runChannelTurn(broker: ServiceBroker, db: Database, p: ChannelTurnParams, open?: OpenSession | null, options: { timeout?: number } = {}): Promise<ChannelTurnReply> {
  // A turn is never retried by the broker: it may have run (see the broker's retry policy).
  const callOptions = options.timeout ? options : p.timeoutMs ? { timeout: p.timeoutMs } : undefined;
  const current = open !== undefined ? open : await findOpenSession(db.orm.em.getConnection(), p);
  const rows = current ? [current] : [];
  if (!rows[0]) {
    // The opening message's id goes with the session, so a node that takes the message over after a
    // failure can tell the session it started from one another message started (see committedTurn).
    const context = { ...p.context, channel: p.channel, ...(p.ref !== undefined ? { openingMessageId: p.ref } : {}) };
    const started = await broker.call<ChatReply, StartParams>("conversations.start", { tenantId: p.tenantId, botId: p.botId, userId: p.userId, channel: p.channel, context, ...(p.oneOpenPerUser ? { oneOpenPerUser: true } : {}) }, callOptions);
    return { sessionId: started.sessionId, messages: started.messages, input: started.input, status: started.status, revision: started.revision, ctas: started.ctas, atNode: started.atNode, started: true };
  }
  const sessionId = rows[0].id;
  let choice = p.choice;
  let text = p.text;
  if (choice === undefined && text !== undefined) {
    const picked = pickChoice(rows[0].input, text);
    if (picked !== undefined) {
      choice = picked;
      text = undefined;
    }
  }
  const reply = await broker.call<ChatReply, MessageParams>("conversations.message", {
    tenantId: p.tenantId, sessionId, ...(choice !== undefined ? { choice } : { text: text ?? "" }), ...(p.ref !== undefined ? { ref: p.ref } : {}),
  }, callOptions);
  return { ...reply, started: false };
}

/**
 * Channels without buttons show choices as a numbered list: the user may answer with the number,
 * the label or the value. Anything else goes through as text, so the flow's own validation answers.
 */
export function pickChoice(input: InputRequest | null | undefined, text: string): string | undefined {
  const choices = input?.type === "choice" ? input.choices ?? [] : [];
  if (choices.length === 0) return undefined;
  const answer = text.trim().replace(/[.)]$/, "");
  if (/^\d{1,3}$/.test(answer)) return choices[Number(answer) - 1]?.value;
  const folded = answer.toLocaleLowerCase();
  return choices.find((c) => c.label.trim().toLocaleLowerCase() === folded || c.value.toLocaleLowerCase() === folded)?.value;
}
