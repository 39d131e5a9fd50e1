/**
 * The inbox's timeline (console/src/inbox/timeline.ts): a conversation's lines read in the order
 * they happened, the bot's words after a hand-back come after the hand-back, and each event is
 * filed under the turn that caused it (the user's, or the bot's when an agent hands back).
 */
import assert from "node:assert/strict";
import type { Conversation } from "../../console/src/inbox/api.ts";
import { itemsOf, messageWords, turnsOf, type Item } from "../../console/src/inbox/timeline.ts";

const at = (second: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, second)).toISOString();
const say = (second: number, direction: "inbound" | "outbound", message: Record<string, unknown>) => ({ direction, nodeId: null, at: at(second), revision: second, message });

const conversation = {
  sessionId: "s", botId: "b", botName: "Support", userId: "web_1", channel: "web", status: "active", startedAt: at(0), updatedAt: at(30),
  flowVersion: "1", variables: {}, position: { nodeId: "survey" }, endedAt: null, path: ["menu", "human", "survey"],
  transcript: [
    say(1, "outbound", { type: "text", text: "What do you need?" }),
    say(2, "inbound", { text: "agent" }),
    say(2, "outbound", { type: "text", text: "Connecting you with a person." }),
    say(5, "outbound", { type: "text", text: "Hi, Alice here.", agent: { name: "Alice" } }),
    say(8, "inbound", { text: "My invoice is wrong" }),
    // The hand-back's turn: the bot's words are stored a moment before the handoff is marked released.
    say(12, "outbound", { type: "text", text: "How did we do?" }),
  ],
  notes: [{ id: "n", sessionId: "s", author: { id: "user:a", name: "Alice" }, text: "Refund approved", createdAt: at(10) }],
  handoffs: [{ id: "h", status: "released", reason: "user_asked", requestedAt: at(3), claimedBy: { id: "user:a", name: "Alice" }, claimedAt: at(4), resolvedAt: at(13), resolvedBy: "Alice" }],
  handoff: null,
  events: [
    { type: "node.entered", nodeId: "menu", at: at(1), data: {} },
    { type: "message.received", nodeId: "menu", at: at(2), data: {} },
    { type: "handoff.requested", nodeId: "menu", at: at(3), data: { reason: "user_asked" } },
    { type: "message.received", nodeId: "menu", at: at(8), data: { forHuman: true } },
    { type: "handoff.released", nodeId: "menu", at: at(12), data: { resumeAt: "survey" } },
    { type: "node.entered", nodeId: "survey", at: at(12), data: {} },
  ],
} satisfies Conversation;

const words = (item: Item) => (item.kind === "message" ? messageWords(item.entry.message) : item.kind === "note" ? `note: ${item.note.text}` : `— ${item.text}`);

describe("the inbox's timeline", () => {
  it("reads a conversation in order: messages, notes and handoff steps, with the hand-back before the bot's resumed words", () => {
    assert.deepEqual(itemsOf(conversation).map(words), [
      "What do you need?",
      "agent",
      "Connecting you with a person.",
      "— Waiting for a person: user_asked",
      "— Alice claimed the conversation",
      "Hi, Alice here.",
      "My invoice is wrong",
      "note: Refund approved",
      "— Handed back to the bot by Alice",
      "How did we do?",
    ]);
  });

  it("files each event under the turn that caused it: the start, each user message, the hand-back", () => {
    assert.deepEqual(turnsOf(conversation).map((t) => [t.label, t.events.map((e) => e.type)]), [
      ["Start", ["node.entered"]],
      ["Turn 1: “agent”", ["message.received", "handoff.requested"]],
      ["Turn 2: “My invoice is wrong”", ["message.received"]],
      ["Back to the bot", ["handoff.released", "node.entered"]],
    ]);
  });

  it("puts a message's words as a person reads them: text, a picked choice, an image's description", () => {
    assert.deepEqual([messageWords({ text: "hi" }), messageWords({ choice: "billing" }), messageWords({ type: "image", url: "https://x/y.png", alt: "A map" }), messageWords({})], ["hi", "billing", "[image: A map]", ""]);
  });
});
