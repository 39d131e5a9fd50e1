/**
 * Turns a batch of recorded events into what changes in the database: each session's running
 * state and the increments of every rollup. Pure: event-recorder.ts reads the states before and
 * writes the result in one transaction.
 *
 * Outcomes: a session ended by its flow (or a call ended by the caller) is `completed`; one that
 * was handed to a human at any time is `handed_off`; one that expired (session TTL, the sweeper)
 * or that the user ended is `abandoned`, and drops off at the node where it was waiting.
 */
import type { RecordedEvent } from "./recorded-event.ts";

export type SessionState = {
  sessionId: string;
  tenantId: string;
  botId: string;
  channel: string;
  flowVersion: string;
  startedAt: Date;
  /** The node the session is at (entered, not yet left): where it waits between turns. */
  nodeId: string | null;
  nodeSince: Date | null;
  turns: number;
  handedOff: boolean;
  visited: string[];
  outcome: "completed" | "abandoned" | "handed_off" | null;
  endedAt: Date | null;
};

export type BotCounters = { started: number; completed: number; abandoned: number; handedOff: number; messagesIn: number; messagesOut: number; tokens: number; costUsd: number };
export type NodeCounters = { entered: number; left: number; reached: number; dropOff: number; validationFailures: number; errors: number; sentimentSum: number; sentimentCount: number };
type Cohort = { tenantId: string; botId: string; channel: string; flowVersion: string };

export type RollupDeltas = {
  /** Keyed by cohort and hour; the day rows are their sums. */
  botHours: Map<string, Cohort & { hour: string } & BotCounters>;
  turns: Map<string, Cohort & { day: string; turns: number; sessions: number }>;
  nodes: Map<string, Cohort & { day: string; nodeId: string } & NodeCounters>;
  leaves: Map<string, Cohort & { day: string; nodeId: string; seconds: number; sessions: number }>;
  paths: Map<string, Cohort & { day: string; fromNode: string; toNode: string; sessions: number }>;
  intents: Map<string, Cohort & { day: string; intent: string; messages: number; sentimentSum: number; sentimentCount: number }>;
};

/** A session remembers at most this many distinct nodes for the funnel (pairs grow with its square). */
export const VISITED_LIMIT = 200;

/**
 * Seconds to leave a node, bucketed so a histogram row per value stays small: exact under two
 * minutes, to the minute under an hour, to the hour beyond. The median is exact to its bucket.
 */
export function leaveBucket(seconds: number): number {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return s;
  if (s < 3600) return s - (s % 60);
  return s - (s % 3600);
}

const completedReasons = new Set(["flow_end", "call_ended"]);

export function emptyDeltas(): RollupDeltas {
  return { botHours: new Map(), turns: new Map(), nodes: new Map(), leaves: new Map(), paths: new Map(), intents: new Map() };
}

const botZero = (): BotCounters => ({ started: 0, completed: 0, abandoned: 0, handedOff: 0, messagesIn: 0, messagesOut: 0, tokens: 0, costUsd: 0 });
const nodeZero = (): NodeCounters => ({ entered: 0, left: 0, reached: 0, dropOff: 0, validationFailures: 0, errors: 0, sentimentSum: 0, sentimentCount: 0 });

function upsert<T>(map: Map<string, T>, key: string, make: () => T): T {
  let row = map.get(key);
  if (!row) { row = make(); map.set(key, row); }
  return row;
}

export function hourOf(at: Date): string {
  return `${at.toISOString().slice(0, 13)}:00:00.000Z`;
}

/**
 * Applies `events` (in arrival order) to `states` (changed in place; a started session is added)
 * and adds their increments to `deltas`. An event of a session with no state (it started before
 * recording was on, or on a node that lost its batch) is skipped, except for tokens, which count
 * against the bot with no channel or version.
 */
export function applyEvents(states: Map<string, SessionState>, events: readonly RecordedEvent[], deltas: RollupDeltas): void {
  for (const event of events) {
    if (event.type === "ai.usage.recorded") {
      const session = event.sessionId ? states.get(event.sessionId) : undefined;
      const cohort = session ?? { tenantId: event.tenantId, botId: event.botId, channel: "", flowVersion: "", startedAt: event.at };
      const row = bot(deltas, cohort);
      row.tokens += Number(event.data.inputTokens ?? 0) + Number(event.data.outputTokens ?? 0);
      row.costUsd += Number(event.data.costUsd ?? 0);
      continue;
    }
    if (!event.sessionId) continue;
    if (event.type === "session.started") {
      if (states.has(event.sessionId)) continue;
      const state: SessionState = {
        sessionId: event.sessionId, tenantId: event.tenantId, botId: event.botId,
        channel: String(event.data.channel ?? ""), flowVersion: String(event.data.flowVersion ?? ""), startedAt: event.at,
        nodeId: null, nodeSince: null, turns: 0, handedOff: false, visited: [], outcome: null, endedAt: null,
      };
      states.set(event.sessionId, state);
      bot(deltas, state).started++;
      continue;
    }
    const state = states.get(event.sessionId);
    if (!state || state.tenantId !== event.tenantId) continue;
    const nodeId = event.nodeId;
    switch (event.type) {
      case "node.entered": {
        if (!nodeId) break;
        const row = node(deltas, state, nodeId);
        row.entered++;
        if (!state.visited.includes(nodeId) && state.visited.length < VISITED_LIMIT) {
          row.reached++;
          for (const earlier of state.visited) path(deltas, state, earlier, nodeId).sessions++;
          state.visited.push(nodeId);
        }
        state.nodeId = nodeId;
        state.nodeSince = event.at;
        break;
      }
      case "node.left": {
        if (!nodeId) break;
        node(deltas, state, nodeId).left++;
        const since = state.nodeId === nodeId && state.nodeSince ? state.nodeSince : event.at;
        const seconds = leaveBucket((event.at.getTime() - since.getTime()) / 1000);
        upsert(deltas.leaves, key(state, day(state), nodeId, seconds), () => ({ ...cohortOf(state), day: day(state), nodeId, seconds, sessions: 0 })).sessions++;
        if (state.nodeId === nodeId) { state.nodeId = null; state.nodeSince = null; }
        break;
      }
      case "message.received": {
        bot(deltas, state).messagesIn++;
        state.turns++;
        const intent = event.data.intent;
        const sentiment = typeof event.data.sentiment === "number" ? event.data.sentiment : undefined;
        if (intent !== undefined || sentiment !== undefined) {
          const name = typeof intent === "string" ? intent : "";
          const row = upsert(deltas.intents, key(state, day(state), name), () => ({ ...cohortOf(state), day: day(state), intent: name, messages: 0, sentimentSum: 0, sentimentCount: 0 }));
          row.messages++;
          if (sentiment !== undefined) { row.sentimentSum += sentiment; row.sentimentCount++; }
        }
        if (sentiment !== undefined && nodeId) {
          const row = node(deltas, state, nodeId);
          row.sentimentSum += sentiment;
          row.sentimentCount++;
        }
        break;
      }
      case "message.sent":
        bot(deltas, state).messagesOut++;
        break;
      case "validation.failed":
        if (nodeId) node(deltas, state, nodeId).validationFailures++;
        break;
      case "webhook.called":
      case "tool.called":
        if (nodeId && event.data.outcome !== "ok") node(deltas, state, nodeId).errors++;
        break;
      case "turn.failed":
        if (nodeId) node(deltas, state, nodeId).errors++;
        break;
      case "handoff.requested":
        if (!state.handedOff) { state.handedOff = true; bot(deltas, state).handedOff++; }
        break;
      case "session.ended": {
        if (state.outcome !== null) break;
        const outcome = completedReasons.has(String(event.data.reason)) ? "completed" : state.handedOff ? "handed_off" : "abandoned";
        if (outcome === "completed") bot(deltas, state).completed++;
        if (outcome === "abandoned") {
          bot(deltas, state).abandoned++;
          if (state.nodeId) node(deltas, state, state.nodeId).dropOff++;
        }
        upsert(deltas.turns, key(state, day(state), state.turns), () => ({ ...cohortOf(state), day: day(state), turns: state.turns, sessions: 0 })).sessions++;
        state.outcome = outcome;
        state.endedAt = event.at;
        state.nodeId = null;
        state.nodeSince = null;
        break;
      }
      default:
    }
  }
}

function cohortOf(s: Cohort): Cohort {
  return { tenantId: s.tenantId, botId: s.botId, channel: s.channel, flowVersion: s.flowVersion };
}
function day(s: { startedAt: Date }): string {
  return s.startedAt.toISOString().slice(0, 10);
}
function key(s: Cohort, ...rest: (string | number)[]): string {
  return [s.tenantId, s.botId, s.channel, s.flowVersion, ...rest].join("\u0000");
}
function bot(deltas: RollupDeltas, s: Cohort & { startedAt: Date }) {
  const hour = hourOf(s.startedAt);
  return upsert(deltas.botHours, key(s, hour), () => ({ ...cohortOf(s), hour, ...botZero() }));
}
function node(deltas: RollupDeltas, s: SessionState, nodeId: string) {
  return upsert(deltas.nodes, key(s, day(s), nodeId), () => ({ ...cohortOf(s), day: day(s), nodeId, ...nodeZero() }));
}
function path(deltas: RollupDeltas, s: SessionState, fromNode: string, toNode: string) {
  return upsert(deltas.paths, key(s, day(s), fromNode, toNode), () => ({ ...cohortOf(s), day: day(s), fromNode, toNode, sessions: 0 }));
}
