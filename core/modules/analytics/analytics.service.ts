import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { NotFoundError, ValidationError } from "../../sdk/platform-error.ts";
import { BotErrorCode } from "../../engine/bots/bot-errors.ts";
import { AnalyticsErrorCode } from "./analytics-errors.ts";
import { createAnalyticsStore, type AnalyticsFilter, type NodeFigures } from "./analytics-store.ts";
import { createEventRecorder, type EventRecorder } from "./event-recorder.ts";
import { recordedEventNames, toRecordedEvent } from "./recorded-event.ts";

export type RangeParams = { tenantId: string; botId: string; from?: string; to?: string; channel?: string; version?: string };

/** The longest range one read may span: a year, leap day included. */
const MAX_DAYS = 366;
const DEFAULT_DAYS = 30;
/** `interval=hour` answers up to 31 days (744 rows), so a chart by hour stays one screen of data. */
const MAX_HOURLY_DAYS = 31;

/**
 * Analytics of each bot: listens to the conversation events every node emits, records them in
 * batches (event-recorder.ts), and answers the dashboard's reads from the rollups. With
 * ANALYTICS_RECORDING=false it listens to nothing, which is how bench/analytics measures what
 * recording costs a turn.
 */
export function createAnalyticsService(platform: PlatformContext): ServiceSchema {
  const store = createAnalyticsStore(platform.db);
  const recording = platform.config.ANALYTICS_RECORDING;
  let recorder: EventRecorder | undefined;

  /** Defaults to the last 30 days up to today (UTC); refuses reversed and over-long ranges. */
  function rangeOf(params: RangeParams): AnalyticsFilter {
    const today = new Date().toISOString().slice(0, 10);
    const to = params.to ?? (params.from ? addDays(params.from, DEFAULT_DAYS - 1) : today);
    const from = params.from ?? addDays(to, -(DEFAULT_DAYS - 1));
    if (from > to) throw new ValidationError(AnalyticsErrorCode.rangeReversed, `\`from\` (${from}) is after \`to\` (${to})`);
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
    if (days > MAX_DAYS) throw new ValidationError(AnalyticsErrorCode.rangeTooLong, `A range may span at most ${MAX_DAYS} days; this one spans ${days}`);
    return {
      tenantId: params.tenantId, botId: params.botId, from, to,
      ...(params.channel !== undefined ? { channel: params.channel } : {}), ...(params.version !== undefined ? { version: params.version } : {}),
    };
  }

  type FlowNodes = { version: number; nodes: { id: string; type: string }[] };

  return {
    name: "analytics",
    events: recording
      ? Object.fromEntries(recordedEventNames.map((name) => [name, {
        handler(ctx: Context<Record<string, unknown>>) {
          const event = toRecordedEvent(name, ctx.params ?? {});
          if (event) recorder?.record(event);
        },
      }]))
      : {},
    actions: {
      /** One conversation's recorded events, for the inbox (broker only: the conversation's own route checks who may read it). */
      async sessionEvents(ctx: Context<{ tenantId: string; sessionId: string; limit?: number }>) {
        await recorder?.flush();
        return store.sessionEvents(ctx.params.tenantId, ctx.params.sessionId, Math.min(ctx.params.limit ?? 1000, 5000));
      },

      async summary(ctx: Context<RangeParams & { interval?: "day" | "hour" }>) {
        const filter = rangeOf(ctx.params);
        if (ctx.params.interval === "hour" && Date.parse(filter.to) - Date.parse(filter.from) >= MAX_HOURLY_DAYS * 86_400_000) {
          throw new ValidationError(AnalyticsErrorCode.hourlyRangeTooLong, `Figures by hour cover at most ${MAX_HOURLY_DAYS} days; ask by day for longer ranges`);
        }
        await recorder?.flush();
        const summary = await store.summary(filter, { byHour: ctx.params.interval === "hour" });
        // Another tenant's bot is as missing as one that never was (row-level security hides it too).
        if (!summary) throw new NotFoundError(BotErrorCode.botNotFound, "Bot");
        return summary;
      },

      /** Every node of the flow version (`version`, or the published one), in the flow's order, then any other node id recorded. */
      async nodes(ctx: Context<RangeParams>) {
        const filter = rangeOf(ctx.params);
        const flow = await flowNodes(ctx, filter);
        await recorder?.flush();
        const seen = await store.nodes(filter);
        const empty = (nodeId: string): Omit<NodeFigures, "type"> => ({
          nodeId, entered: 0, reached: 0, left: 0, dropOff: 0, dropOffRate: 0, medianSecondsToLeave: null, validationFailures: 0, errors: 0, averageSentiment: null,
        });
        const nodes: NodeFigures[] = flow.nodes.map((node) => ({ ...(seen.get(node.id) ?? empty(node.id)), type: node.type }));
        const inFlow = new Set(flow.nodes.map((node) => node.id));
        for (const [id, figures] of seen) if (!inFlow.has(id)) nodes.push({ ...figures, type: null });
        return { from: filter.from, to: filter.to, version: flow.version, nodes };
      },

      async funnel(ctx: Context<RangeParams & { fromNode: string; toNode: string }>) {
        const filter = rangeOf(ctx.params);
        const { fromNode, toNode } = ctx.params;
        if (fromNode === toNode) throw new ValidationError(AnalyticsErrorCode.funnelSameNode, "A funnel needs two different nodes");
        const flow = await flowNodes(ctx, filter);
        for (const nodeId of [fromNode, toNode]) {
          if (!flow.nodes.some((node) => node.id === nodeId) && !(await store.nodeSeen(filter.tenantId, filter.botId, nodeId))) {
            throw new ValidationError(AnalyticsErrorCode.unknownNode, `No node \`${nodeId}\` in version ${flow.version} of this bot's flow`, { nodeId });
          }
        }
        await recorder?.flush();
        const counts = await store.funnel(filter, fromNode, toNode);
        return {
          from: filter.from, to: filter.to, fromNode, toNode, ...counts,
          droppedBetween: counts.reachedFrom - counts.reachedTo,
          conversionRate: counts.reachedFrom === 0 ? 0 : Math.round((counts.reachedTo / counts.reachedFrom) * 10_000) / 10_000,
        };
      },

      async intents(ctx: Context<RangeParams>) {
        const filter = rangeOf(ctx.params);
        await recorder?.flush();
        const intents = await store.intents(filter);
        if (!intents) throw new NotFoundError(BotErrorCode.botNotFound, "Bot");
        return { from: filter.from, to: filter.to, ...intents };
      },

      /** Sentiment by node (from `temp.sentiment` of the messages answering it) and by day. */
      async sentiment(ctx: Context<RangeParams>) {
        const filter = rangeOf(ctx.params);
        await recorder?.flush();
        const sentiment = await store.sentiment(filter);
        if (!sentiment) throw new NotFoundError(BotErrorCode.botNotFound, "Bot");
        return { from: filter.from, to: filter.to, ...sentiment };
      },

      /** Writes this node's buffered events now (tests, and before a node leaves). */
      flush: {
        visibility: "public",
        async handler() {
          await recorder?.flush();
          return true;
        },
      },
    },
    created() {
      if (recording) recorder = createEventRecorder(() => platform.db.orm.em.fork(), platform.logger.child({ component: "analytics" }), { flushMs: platform.config.ANALYTICS_FLUSH_MS, flushRows: platform.config.ANALYTICS_FLUSH_ROWS });
    },
    async stopped() {
      await recorder?.stop();
    },
  };

  async function flowNodes(ctx: Context, filter: AnalyticsFilter): Promise<FlowNodes> {
    const found = await ctx.call<{ version: number; flow: { nodes?: { id: string; type: string }[] } }, object>("bots.flow", {
      tenantId: filter.tenantId, botId: filter.botId, ...(filter.version !== undefined ? { version: Number(filter.version) } : {}),
    });
    return { version: found.version, nodes: (found.flow.nodes ?? []).map((node) => ({ id: node.id, type: node.type })) };
  }
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
