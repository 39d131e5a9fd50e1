/**
 * A conversation as a timeline, worked out from the API's answer alone (no React, so a plain test
 * reads it too): its lines in time order (messages, notes, handoff steps) and its turns with the
 * events each one caused.
 */
import type { Conversation, Handoff, Note, TranscriptEntry, TurnEvent } from "./api.ts";

/** The words of a message as the transcript and list show them (text, a choice, an image's alt text). */
export function messageWords(message: Record<string, unknown>): string {
  if (message.type === "image") return `[image${typeof message.alt === "string" && message.alt ? `: ${message.alt}` : ""}]`;
  for (const key of ["text", "choice", "alt", "url"]) if (typeof message[key] === "string") return message[key];
  return "";
}

export type Item =
  | { kind: "message"; at: string; entry: TranscriptEntry }
  | { kind: "note"; at: string; note: Note }
  | { kind: "event"; at: string; text: string; before?: boolean };

const str = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

const fromBot = (entry: TranscriptEntry) => entry.direction === "outbound" && !entry.message.agent;

/**
 * When the bot took the conversation back. The handoff is marked released just after the bot's
 * turn that resumes it, so its first words carry an earlier time than `resolvedAt`: the line goes
 * before the bot's messages written since the last person (user, agent or note) spoke.
 */
function handBackAt(resolvedAt: string, conversation: Conversation): string {
  const people = [
    ...conversation.transcript.filter((t) => !fromBot(t)).map((t) => t.at),
    ...conversation.notes.map((n) => n.createdAt),
  ].filter((at) => at <= resolvedAt);
  const lastPerson = people.sort().at(-1) ?? "";
  const resumed = conversation.transcript.filter((t) => fromBot(t) && t.at > lastPerson && t.at <= resolvedAt).map((t) => t.at).sort();
  return resumed[0] ?? resolvedAt;
}

/** What happened to each handoff, as lines between the messages. */
function handoffLines(handoff: Handoff, conversation: Conversation): { at: string; text: string; before?: boolean }[] {
  const lines: { at: string; text: string; before?: boolean }[] = [{ at: handoff.requestedAt, text: `Waiting for a person${handoff.reason ? `: ${handoff.reason}` : ""}` }];
  const claimedAt = str(handoff.claimedAt);
  if (handoff.claimedBy && claimedAt) lines.push({ at: claimedAt, text: `${handoff.claimedBy.name} claimed the conversation` });
  const resolvedAt = str(handoff.resolvedAt);
  const by = str(handoff.resolvedBy);
  if (resolvedAt) {
    const text = handoff.status === "released" ? `Handed back to the bot${by ? ` by ${by}` : ""}`
      : handoff.status === "closed" ? `Closed${by ? ` by ${by}` : ""}`
      : handoff.status === "timed_out" ? "Nobody claimed it in time: the bot's timeout rule took over" : `Ended (${handoff.status})`;
    const backToBot = handoff.status === "released" || handoff.status === "timed_out";
    lines.push(backToBot ? { at: handBackAt(resolvedAt, conversation), text, before: true } : { at: resolvedAt, text });
  }
  return lines;
}

/** The conversation in time order: the user's and the bot's messages, the agents' (named), internal notes, and handoff steps. */
export function itemsOf(conversation: Conversation): Item[] {
  const items: Item[] = [
    ...conversation.transcript.map((entry) => ({ kind: "message" as const, at: entry.at, entry })),
    ...conversation.notes.map((note) => ({ kind: "note" as const, at: note.createdAt, note })),
    ...conversation.handoffs.flatMap((h) => handoffLines(h, conversation)).map((line) => ({ kind: "event" as const, ...line })),
  ];
  // A stable sort: what happened at the same instant keeps the order above, but a hand-back comes before the bot's words.
  const rank = (item: Item) => (item.kind === "event" && item.before ? 0 : 1);
  return items.map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.at.localeCompare(b.item.at) || rank(a.item) - rank(b.item) || a.index - b.index)
    .map((x) => x.item);
}

export type Turn = { label: string; events: TurnEvent[] };

/**
 * What each turn caused. A turn starts with the user's message (the first with the conversation's
 * start), or with an agent handing the conversation back to the bot (the bot's own turn); its
 * events are those recorded from then until the next turn starts.
 */
export function turnsOf(conversation: Conversation): Turn[] {
  const starts = conversation.transcript.filter((t) => t.direction === "inbound").map((t) => ({ at: t.at, words: messageWords(t.message) }));
  const turns: Turn[] = [{ label: "Start", events: [] }];
  let said = 0;
  for (const event of conversation.events) {
    while (said < starts.length && starts[said]!.at <= event.at) {
      const words = starts[said]!.words;
      turns.push({ label: `Turn ${++said}: “${words.length > 40 ? `${words.slice(0, 37)}…` : words}”`, events: [] });
    }
    if (event.type === "handoff.released") turns.push({ label: "Back to the bot", events: [] });
    turns.at(-1)!.events.push(event);
  }
  return turns.filter((turn) => turn.events.length > 0);
}
