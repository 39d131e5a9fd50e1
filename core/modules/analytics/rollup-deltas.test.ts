import assert from "node:assert/strict";
import { applyEvents, emptyDeltas, leaveBucket, type SessionState } from "./rollup-deltas.ts";
import { medianOf, splitRange } from "./analytics-store.ts";
import { toRecordedEvent } from "./recorded-event.ts";

const tenantId = "00000000-0000-4000-8000-000000000001";
const botId = "00000000-0000-4000-8000-000000000002";
const sessionId = "00000000-0000-4000-8000-000000000003";
const at = (second: number) => new Date(Date.UTC(2026, 11, 7, 10, 0, second));
const event = (name: string, second: number, payload: Record<string, unknown> = {}) => toRecordedEvent(name, { tenantId, botId, sessionId, ...payload }, at(second))!;

describe("analytics rollups from a batch of events", () => {
  it("counts a session that waits at a question, answers late and ends by its flow", () => {
    const states = new Map<string, SessionState>();
    const deltas = emptyDeltas();
    applyEvents(states, [
      event("conversation.session.started", 0, { channel: "web", flowVersion: "3" }),
      event("conversation.node.entered", 0, { nodeId: "ask" }),
      event("conversation.message.sent", 0, { nodeId: "ask" }),
    ], deltas);
    // The next turn comes in another batch, 90 seconds later.
    applyEvents(states, [
      event("conversation.message.received", 90, { nodeId: "ask", intent: "hello", sentiment: 2 }),
      event("conversation.node.left", 90, { nodeId: "ask" }),
      event("conversation.node.entered", 90, { nodeId: "bye" }),
      event("conversation.node.left", 90, { nodeId: "bye" }),
      event("conversation.session.ended", 90, { reason: "flow_end" }),
    ], deltas);
    const [bot] = deltas.botHours.values();
    assert.deepEqual({ ...bot }, { tenantId, botId, channel: "web", flowVersion: "3", hour: "2026-12-07T10:00:00.000Z", started: 1, completed: 1, abandoned: 0, handedOff: 0, messagesIn: 1, messagesOut: 1, tokens: 0, costUsd: 0 });
    assert.deepEqual([...deltas.leaves.values()].map((l) => [l.nodeId, l.seconds]), [["ask", 90], ["bye", 0]]);
    assert.deepEqual([...deltas.paths.values()].map((p) => [p.fromNode, p.toNode, p.sessions]), [["ask", "bye", 1]]);
    // Sentiment is clamped to -1..1.
    assert.deepEqual([...deltas.intents.values()].map((i) => [i.intent, i.messages, i.sentimentSum]), [["hello", 1, 1]]);
    assert.equal(states.get(sessionId)!.outcome, "completed");
  });

  it("drops a session off where it waited when it expires, once, and not after a handoff", () => {
    const states = new Map<string, SessionState>();
    const deltas = emptyDeltas();
    applyEvents(states, [
      event("conversation.session.started", 0, { channel: "web", flowVersion: "1" }),
      event("conversation.node.entered", 0, { nodeId: "ask" }),
      event("conversation.session.ended", 5, { reason: "expired" }),
      event("conversation.session.ended", 6, { reason: "expired" }),
    ], deltas);
    assert.equal([...deltas.nodes.values()].find((n) => n.nodeId === "ask")!.dropOff, 1);
    assert.equal([...deltas.botHours.values()][0]!.abandoned, 1);

    const handed = new Map<string, SessionState>();
    const after = emptyDeltas();
    applyEvents(handed, [
      event("conversation.session.started", 0, { channel: "web", flowVersion: "1" }),
      event("conversation.node.entered", 0, { nodeId: "agent" }),
      event("conversation.handoff.requested", 0, { nodeId: "agent" }),
      event("conversation.session.ended", 5, { reason: "expired" }),
    ], after);
    const bot = [...after.botHours.values()][0]!;
    assert.deepEqual([bot.handedOff, bot.abandoned], [1, 0]);
    assert.equal([...after.nodes.values()][0]!.dropOff, 0);
  });

  it("keeps no message text, and ignores events naming no tenant", () => {
    const recorded = event("conversation.message.received", 0, { message: { text: "my card is 4111" } });
    assert.deepEqual(recorded.data, {});
    assert.equal(toRecordedEvent("conversation.message.received", { botId, sessionId }), undefined);
  });

  it("takes medians from histograms and buckets seconds to leave", () => {
    assert.equal(medianOf([{ value: 0, count: 1 }, { value: 1, count: 2 }, { value: 3, count: 2 }, { value: 4, count: 1 }]), 2);
    assert.equal(medianOf([{ value: 5, count: 3 }]), 5);
    assert.equal(medianOf([]), null);
    assert.deepEqual([leaveBucket(0.4), leaveBucket(119), leaveBucket(150), leaveBucket(7300)], [0, 119, 120, 7200]);
  });

  it("reads whole months from the month rollup and the days around them from the day rollup", () => {
    assert.deepEqual(splitRange("2026-01-15", "2026-04-10"), { months: ["2026-02-01", "2026-03-01"], days: [["2026-01-15", "2026-01-31"], ["2026-04-01", "2026-04-10"]] });
    assert.deepEqual(splitRange("2026-02-01", "2026-02-28"), { months: ["2026-02-01", "2026-02-01"], days: [] });
    assert.deepEqual(splitRange("2026-02-03", "2026-02-20"), { days: [["2026-02-03", "2026-02-20"]] });
    assert.deepEqual(splitRange("2025-12-08", "2026-12-07"), { months: ["2026-01-01", "2026-11-01"], days: [["2025-12-08", "2025-12-31"], ["2026-12-01", "2026-12-07"]] });
  });

  it("counts tokens and their list price against the session's cohort, and a call with no session against the bot", () => {
    const states = new Map<string, SessionState>();
    const deltas = emptyDeltas();
    applyEvents(states, [
      event("conversation.session.started", 0, { channel: "sms", flowVersion: "2" }),
      event("ai.usage.recorded", 1, { model: "gpt-4o-mini-2024-07-18", inputTokens: 1_000_000, outputTokens: 1_000_000 }),
      toRecordedEvent("ai.usage.recorded", { tenantId, botId, sessionId: null, model: "offline", inputTokens: 10, outputTokens: 5 }, at(2))!,
    ], deltas);
    const rows = [...deltas.botHours.values()].map((r) => [r.channel, r.tokens, Math.round(r.costUsd * 100) / 100]);
    assert.deepEqual(rows, [["sms", 2_000_000, 0.75], ["", 15, 0]]);
  });
});
