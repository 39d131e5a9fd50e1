/**
 * Handing a conversation to a person outside a handoff node: the user asks for one ("agent"), or
 * something else asks for them (an agent tool, an outside helpdesk through the API). The session
 * stays at the node it waited at, so the bot can take the conversation back there; the flow never
 * sees the message that asked.
 */
import type { InputRequest, OutboundMessage, UserInput } from "../../sdk/node-type.ts";
import { SessionStatus, type SessionRecord } from "./session-store.ts";
import type { TurnResult } from "./turn-runner.ts";

/** A bot's rule for users asking for a person (bot config `handoff`). */
export type HumanRequestRule = { keywords: readonly string[]; message: string };

export const USER_ASKED_REASON = "user_asked";

/** What a user types to reach a person, unless the bot sets its own `handoff.keywords` ([] turns it off). */
export const DEFAULT_HUMAN_KEYWORDS = ["agent", "human", "operator", "representative", "real person", "talk to a human", "talk to an agent", "speak to a human", "speak to an agent"];
export const DEFAULT_HUMAN_MESSAGE = "I'm connecting you with a person. Someone will answer here shortly.";

const fold = (text: string) => text.toLocaleLowerCase().replace(/[^\p{L}\p{N} ]+/gu, " ").replace(/\s+/g, " ").trim();

/**
 * Whether the whole message is one of the keywords (case and punctuation aside). A sentence that
 * merely mentions an agent is left to the flow, and so is a keyword the waiting question offers
 * as one of its choices.
 */
export function asksForHuman(text: string, rule: HumanRequestRule, waiting: InputRequest | undefined): boolean {
  const said = fold(text);
  if (said === "" || !rule.keywords.some((k) => fold(k) === said)) return false;
  return !(waiting?.choices ?? []).some((c) => fold(c.label) === said || fold(c.value) === said);
}

/**
 * The turn that hands `session` to a person: it waits for a human from now on, the user's message
 * (when there is one) and what they are told are kept in the history, and
 * `conversation.handoff.requested` says why.
 */
export function handOver(
  session: SessionRecord, at: Date, why: { reason: string; source: string; summary?: string },
  inbound?: UserInput, told?: OutboundMessage,
): TurnResult {
  const base = { tenantId: session.tenantId, botId: session.botId, sessionId: session.id };
  const revision = session.revision + 1;
  const nodeId = session.position.nodeId;
  const history: TurnResult["history"] = [];
  const events: TurnResult["events"] = [];
  if (inbound) {
    history.push({ sessionId: session.id, direction: "inbound", nodeId, at, revision, message: inbound });
    events.push({ name: "conversation.message.received", payload: { ...base, nodeId, message: inbound } });
  }
  if (told) {
    history.push({ sessionId: session.id, direction: "outbound", nodeId, at, revision, message: told });
    events.push({ name: "conversation.message.sent", payload: { ...base, nodeId, message: told } });
  }
  events.push({ name: "conversation.handoff.requested", payload: { ...base, nodeId, reason: why.reason, source: why.source, ...(why.summary ? { summary: why.summary } : {}) } });
  return {
    next: { ...session, status: SessionStatus.waitingHuman, variables: { ...session.variables, temp: {} }, updatedAt: at },
    history, events, messages: told ? [told] : [], input: undefined,
  };
}
