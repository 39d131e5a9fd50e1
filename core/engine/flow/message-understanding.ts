/**
 * What the platform understood of an inbound message before the flow handles it: the intent the
 * tenant defined that it matches (or "none"), how sure that match is, and its sentiment from -1
 * (angry) to 1 (delighted). The conversations service asks the nlp module for it (the engine knows
 * no module) and hands it to the turn, which sets it on `temp.*` so templates, conditions and the
 * intent node read it, and puts it on `conversation.message.received` for analytics.
 *
 * The negative-streak handoff lives here because it is the turn that decides whether the flow
 * runs at all: `session.negativeStreak` counts the messages in a row whose sentiment fell below
 * the bot's line, and when it reaches the bot's count the conversation goes to a person instead.
 */
import type { OutboundMessage } from "../../sdk/node-type.ts";
import type { Scopes } from "./variables.ts";

export type MessageUnderstanding = {
  intent: string;
  /** 0..1: the similarity of the closest example, or the model's confidence. */
  intentConfidence: number;
  /** -1..1 */
  sentiment: number;
};

/** A bot's "hand off after N negative messages in a row" rule (bot config `nlp.handoff`). */
export type SentimentHandoffRule = { afterNegativeMessages: number; sentimentBelow: number; message?: string };

export const NO_INTENT = "none";
export const SENTIMENT_HANDOFF_REASON = "negative_sentiment";
const DEFAULT_HANDOFF_MESSAGE = "I'm sorry this has been frustrating. I'm connecting you with a person who can help.";

/** The variables a flow reads: `temp.intent`, `temp.intentConfidence`, `temp.sentiment`. */
export function understandingVariables(understood: MessageUnderstanding): Record<string, unknown> {
  return { intent: understood.intent, intentConfidence: understood.intentConfidence, sentiment: understood.sentiment };
}

/**
 * Sets the understanding on `temp.*` and counts the negative streak in `session.negativeStreak`;
 * answers the message to send when the rule says a person should take over now (the streak then
 * starts again from zero).
 */
export function applyUnderstanding(scopes: Scopes, understood: MessageUnderstanding, rule: SentimentHandoffRule | undefined): { handoff?: OutboundMessage } {
  scopes.temp = { ...scopes.temp, ...understandingVariables(understood) };
  if (!rule) return {};
  const session = (scopes.session ??= {});
  const previous = typeof session.negativeStreak === "number" ? session.negativeStreak : 0;
  const streak = understood.sentiment < rule.sentimentBelow ? previous + 1 : 0;
  if (streak < rule.afterNegativeMessages) {
    session.negativeStreak = streak;
    return {};
  }
  session.negativeStreak = 0;
  return { handoff: { type: "text", text: rule.message ?? DEFAULT_HANDOFF_MESSAGE } };
}
