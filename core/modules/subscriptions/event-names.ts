/**
 * The broker events a tenant may subscribe a URL to. Each payload carries `tenantId`, `botId` and
 * `sessionId`; see core/engine/flow/turn-runner.ts and core/engine/flow/flow-engine.ts for the rest.
 */
export const subscribableEvents = [
  "conversation.session.started",
  "conversation.session.ended",
  "conversation.node.entered",
  "conversation.message.received",
  "conversation.message.sent",
  "conversation.handoff.requested",
  "conversation.handoff.released",
  // Human handoff, step by step (core/modules/handoff): a person claims, answers, closes; nobody came in time.
  "conversation.handoff.claimed",
  "conversation.handoff.replied",
  "conversation.handoff.note.added",
  "conversation.handoff.closed",
  "conversation.handoff.timed_out",
] as const;
export type SubscribableEvent = (typeof subscribableEvents)[number];

/** Subscribes to every event above, including those added later. */
export const ALL_EVENTS = "*";

export function isSubscribableEvent(name: string): name is SubscribableEvent {
  return (subscribableEvents as readonly string[]).includes(name);
}
