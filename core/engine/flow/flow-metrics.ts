import type { CounterChild, HistogramChild, MetricRegistry } from "../../kernel/observability/metric-registry.ts";

/** What a turn costs, in seconds: most are milliseconds, an LLM's can take tens of seconds. */
const TURN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export type FlowMetrics = ReturnType<typeof defineFlowMetrics>;

/**
 * The conversation runtime's figures. Children are kept per channel and node type, so counting a
 * turn or a node is a Map lookup and an addition (this runs on every turn).
 */
export function defineFlowMetrics(registry: MetricRegistry) {
  const turns = registry.counter("botplatform_turns_total", "Conversation turns run (a session's first turn and every message after), by channel", ["channel"]);
  const turnSeconds = registry.histogram("botplatform_turn_duration_seconds", "Time from a turn's start to its commit, by channel", ["channel"], TURN_BUCKETS);
  const nodeRuns = registry.counter("botplatform_node_executions_total", "Flow nodes run, by node type", ["type"]);
  const nodeErrors = registry.counter("botplatform_node_errors_total", "Flow node runs that threw (the turn failed politely), by node type", ["type"]);
  const byChannel = new Map<string, { turns: CounterChild; seconds: HistogramChild }>();
  const runsByType = new Map<string, CounterChild>();

  return {
    /** A turn on `channel` committed; `startedAt` is its `performance.now()`. */
    turnDone(channel: string, startedAt: number): void {
      let children = byChannel.get(channel);
      if (!children) byChannel.set(channel, children = { turns: turns.labels(channel), seconds: turnSeconds.labels(channel) });
      children.turns.inc();
      children.seconds.observe((performance.now() - startedAt) / 1000);
    },
    nodeRan(type: string): void {
      let child = runsByType.get(type);
      if (!child) runsByType.set(type, child = nodeRuns.labels(type));
      child.inc();
    },
    nodeFailed(type: string): void {
      nodeRuns.labels(type).inc();
      nodeErrors.labels(type).inc();
    },
  };
}
