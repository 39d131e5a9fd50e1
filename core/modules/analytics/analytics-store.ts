/**
 * The analytics reads. Every figure comes from the rollups (migration 0022), never from the raw
 * events, and every query runs under the tenant's row-level security scope as well as naming the
 * tenant, so one tenant's figures can never include another's.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { TenantScopedDatabase } from "../../kernel/persistence/tenant-scope.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";

export type AnalyticsFilter = { tenantId: string; botId: string; from: string; to: string; channel?: string; version?: string };

export type DayFigures = { day: string; started: number; completed: number; abandoned: number; handedOff: number; messagesIn: number; messagesOut: number; tokens: number; costUsd: number };
export type Summary = {
  from: string; to: string;
  sessions: { started: number; completed: number; abandoned: number; handedOff: number };
  messages: { in: number; out: number };
  completionRate: number; medianTurns: number | null; tokens: number; costUsd: number;
  byDay: DayFigures[];
  byChannel: { channel: string; started: number; completed: number; abandoned: number; handedOff: number }[];
  byHour?: (Omit<DayFigures, "day"> & { hour: string })[];
};
export type NodeFigures = {
  nodeId: string; type: string | null; entered: number; reached: number; left: number; dropOff: number; dropOffRate: number;
  medianSecondsToLeave: number | null; validationFailures: number; errors: number; averageSentiment: number | null;
};

/** Rounded for display; counts are exact, rates to 4 places, dollars to 6. */
const rate = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);
const usd = (value: number) => Math.round(value * 1_000_000) / 1_000_000;
const n = (value: unknown) => Number(value ?? 0);

/** The median of a histogram (value → how many); the mean of the two middle values for an even total. */
export function medianOf(histogram: readonly { value: number; count: number }[]): number | null {
  const sorted = [...histogram].filter((h) => h.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, h) => sum + h.count, 0);
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const h of sorted) { seen += h.count; if (seen > rank) return h.value; }
    return sorted.at(-1)!.value;
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The where-clause every read shares, with its parameters; `day` names the cohort column (`day`, or `hour` in the hourly rollup). */
function where(f: AnalyticsFilter, day: "day" | "hour" = "day"): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.tenantId, f.botId, f.from, f.to];
  // An hour column is bounded by instants (not cast to a date), so the primary key's range serves it.
  let sql = day === "hour"
    ? "tenant_id = ? and bot_id = ? and hour >= (?::date)::timestamp at time zone 'UTC' and hour < ((?::date) + 1)::timestamp at time zone 'UTC'"
    : `tenant_id = ? and bot_id = ? and ${day} >= ?::date and ${day} <= ?::date`;
  if (f.channel !== undefined) { sql += " and channel = ?"; params.push(f.channel); }
  if (f.version !== undefined) { sql += " and flow_version = ?"; params.push(f.version); }
  return { sql, params };
}

const plusDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const monthStart = (day: string) => `${day.slice(0, 8)}01`;
const monthEnd = (day: string) => {
  const next = new Date(Date.parse(`${monthStart(day)}T00:00:00Z`));
  next.setUTCMonth(next.getUTCMonth() + 1);
  return plusDays(next.toISOString().slice(0, 10), -1);
};

/** The whole months of [from, to] (their first days), and the days before and after them. */
export function splitRange(from: string, to: string): { months?: [string, string]; days: [string, string][] } {
  const first = from === monthStart(from) ? from : plusDays(monthEnd(from), 1);
  const lastEnd = to === monthEnd(to) ? to : plusDays(monthStart(to), -1);
  if (first > lastEnd) return { days: [[from, to]] };
  const days: [string, string][] = [];
  if (from < first) days.push([from, plusDays(first, -1)]);
  if (lastEnd < to) days.push([plusDays(lastEnd, 1), to]);
  return { months: [first, monthStart(lastEnd)], days };
}

/**
 * The rows of a rollup kept by day and by month (nodes, seconds to leave, paths) for the filter:
 * whole months from `_month`, the rest from `_day`, as one derived table `r`.
 */
function rollupRows(table: "analytics_node" | "analytics_node_leave" | "analytics_path", f: AnalyticsFilter): { sql: string; params: unknown[] } {
  const { months, days } = splitRange(f.from, f.to);
  const parts: string[] = [];
  const params: unknown[] = [];
  const spans: [string, [string, string]][] = [...(months ? [["month", months] as [string, [string, string]]] : []), ...days.map((d): [string, [string, string]] => ["day", d])];
  for (const [grain, [from, to]] of spans) {
    const w = where({ ...f, from, to });
    parts.push(`select * from ${table}_${grain} where ${w.sql}`);
    params.push(...w.params);
  }
  return { sql: `(${parts.join(" union all ")}) r`, params };
}

export function createAnalyticsStore(db: TenantScopedDatabase) {
  const scoped = <T>(tenantId: string, fn: (em: EntityManager) => Promise<T>) => withTenantScope(db, tenantId, fn);

  return {
    /** Undefined when the tenant has no such bot. One statement: a read is one round trip inside its scope. */
    async summary(f: AnalyticsFilter, options: { byHour?: boolean } = {}): Promise<Summary | undefined> {
      return scoped(f.tenantId, async (em) => {
        const w = where(f);
        const [found] = await em.execute<{ bot: boolean; days: Record<string, string>[]; channels: Record<string, string>[]; turns: { turns: number; sessions: string }[] }[]>(
          `select exists (select 1 from bot where id = ? and tenant_id = ?) as bot,
             (select coalesce(json_agg(d order by d.day), '[]') from (
               select to_char(day, 'YYYY-MM-DD') as day, sum(started) started, sum(completed) completed, sum(abandoned) abandoned, sum(handed_off) handed_off,
                 sum(messages_in) messages_in, sum(messages_out) messages_out, sum(tokens) tokens, sum(cost_usd) cost_usd
               from analytics_bot_day where ${w.sql} group by day) d) as days,
             (select coalesce(json_agg(c order by c.started desc, c.channel), '[]') from (
               select channel, sum(started) started, sum(completed) completed, sum(abandoned) abandoned, sum(handed_off) handed_off
               from analytics_bot_day where ${w.sql} group by channel) c) as channels,
             (select coalesce(json_agg(t), '[]') from (select turns, sum(sessions) sessions from analytics_turns_day where ${w.sql} group by turns) t) as turns`,
          [f.botId, f.tenantId, ...w.params, ...w.params, ...w.params]);
        if (!found?.bot) return undefined;
        const { days, channels, turns } = found;
        const figures = (r: Record<string, string>) => ({
          started: n(r.started), completed: n(r.completed), abandoned: n(r.abandoned), handedOff: n(r.handed_off),
          messagesIn: n(r.messages_in), messagesOut: n(r.messages_out), tokens: n(r.tokens), costUsd: usd(n(r.cost_usd)),
        });
        const byDate = new Map(days.map((r) => [r.day!, figures(r)]));
        const zero = figures({});
        const byDay = daysBetween(f.from, f.to).map((day) => ({ day, ...(byDate.get(day) ?? zero) }));
        const total = byDay.reduce((sum, d) => {
          for (const k of Object.keys(zero) as (keyof typeof zero)[]) sum[k] += d[k];
          return sum;
        }, { ...zero });
        const summary: Summary = {
          from: f.from, to: f.to,
          sessions: { started: total.started, completed: total.completed, abandoned: total.abandoned, handedOff: total.handedOff },
          messages: { in: total.messagesIn, out: total.messagesOut },
          completionRate: rate(total.completed, total.started),
          medianTurns: medianOf(turns.map((t) => ({ value: n(t.turns), count: n(t.sessions) }))),
          tokens: total.tokens, costUsd: usd(total.costUsd),
          byDay,
          byChannel: channels.map((r) => ({ channel: r.channel!, started: n(r.started), completed: n(r.completed), abandoned: n(r.abandoned), handedOff: n(r.handed_off) })),
        };
        if (options.byHour) {
          const h = where(f, "hour");
          const hours = await em.execute<Record<string, string>[]>(
            `select to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"') as hour, sum(started) started, sum(completed) completed, sum(abandoned) abandoned,
               sum(handed_off) handed_off, sum(messages_in) messages_in, sum(messages_out) messages_out, sum(tokens) tokens, sum(cost_usd) cost_usd
             from analytics_bot_hour where ${h.sql} group by hour order by hour`, h.params);
          summary.byHour = hours.map((r) => ({ hour: r.hour!, ...figures(r) }));
        }
        return summary;
      });
    },

    /** Per node id seen in the range (the service puts them in the flow's order and adds the unseen). */
    async nodes(f: AnalyticsFilter): Promise<Map<string, Omit<NodeFigures, "type">>> {
      return scoped(f.tenantId, async (em) => {
        const nodes = rollupRows("analytics_node", f);
        const rows = await em.execute<Record<string, string>[]>(
          `select node_id, sum(entered) entered, sum(reached) reached, sum(left_count) left_count, sum(drop_off) drop_off, sum(validation_failures) validation_failures,
             sum(errors) errors, sum(sentiment_sum) sentiment_sum, sum(sentiment_count) sentiment_count
           from ${nodes.sql} group by node_id`, nodes.params);
        const leave = rollupRows("analytics_node_leave", f);
        const leaves = await em.execute<{ node_id: string; seconds: number; sessions: string }[]>(
          `select node_id, seconds, sum(sessions) sessions from ${leave.sql} group by node_id, seconds`, leave.params);
        const histograms = new Map<string, { value: number; count: number }[]>();
        for (const l of leaves) {
          const list = histograms.get(l.node_id) ?? [];
          list.push({ value: n(l.seconds), count: n(l.sessions) });
          histograms.set(l.node_id, list);
        }
        return new Map(rows.map((r) => {
          const reached = n(r.reached);
          const dropOff = n(r.drop_off);
          const sentimentCount = n(r.sentiment_count);
          return [r.node_id!, {
            nodeId: r.node_id!, entered: n(r.entered), reached, left: n(r.left_count), dropOff, dropOffRate: rate(dropOff, reached),
            medianSecondsToLeave: medianOf(histograms.get(r.node_id!) ?? []), validationFailures: n(r.validation_failures), errors: n(r.errors),
            averageSentiment: sentimentCount === 0 ? null : Math.round((n(r.sentiment_sum) / sentimentCount) * 1000) / 1000,
          }];
        }));
      });
    },

    /** Average sentiment by node (of the messages answering it) and by day; undefined when the tenant has no such bot. */
    async sentiment(f: AnalyticsFilter) {
      return scoped(f.tenantId, async (em) => {
        const nodes = rollupRows("analytics_node", f);
        const w = where(f);
        const [found] = await em.execute<{ bot: boolean; nodes: { node_id: string; average: number }[]; days: { day: string; messages: number; average: number | null }[] }[]>(
          `select exists (select 1 from bot where id = ? and tenant_id = ?) as bot,
             (select coalesce(json_agg(n order by n.node_id), '[]') from (
               select node_id, sum(sentiment_sum) / sum(sentiment_count) average from ${nodes.sql} group by node_id having sum(sentiment_count) > 0) n) as nodes,
             (select coalesce(json_agg(d order by d.day), '[]') from (
               select to_char(day, 'YYYY-MM-DD') as day, sum(messages) messages, sum(sentiment_sum) / nullif(sum(sentiment_count), 0) average
               from analytics_intent_day where ${w.sql} group by day) d) as days`,
          [f.botId, f.tenantId, ...nodes.params, ...w.params]);
        if (!found?.bot) return undefined;
        const round = (value: number | null) => (value === null ? null : Math.round(Number(value) * 1000) / 1000);
        return {
          byNode: found.nodes.map((r) => ({ nodeId: r.node_id, averageSentiment: round(r.average) })),
          byDay: found.days.map((r) => ({ day: r.day, messages: n(r.messages), averageSentiment: round(r.average) })),
        };
      });
    },

    /** Sessions that reached `fromNode`, and of those, how many reached `toNode` after it. */
    async funnel(f: AnalyticsFilter, fromNode: string, toNode: string): Promise<{ reachedFrom: number; reachedTo: number }> {
      return scoped(f.tenantId, async (em) => {
        const nodes = rollupRows("analytics_node", f);
        const paths = rollupRows("analytics_path", f);
        const [from] = await em.execute<{ reached: string }[]>(`select coalesce(sum(reached), 0) reached from ${nodes.sql} where node_id = ?`, [...nodes.params, fromNode]);
        const [to] = await em.execute<{ sessions: string }[]>(`select coalesce(sum(sessions), 0) sessions from ${paths.sql} where from_node = ? and to_node = ?`, [...paths.params, fromNode, toNode]);
        return { reachedFrom: n(from?.reached), reachedTo: n(to?.sessions) };
      });
    },

    /** Whether a node id was ever recorded for the bot (a sub-flow's qualified id, a node of an older version). */
    /** What one conversation's turns caused, oldest first (the inbox shows them beside the transcript). */
    async sessionEvents(tenantId: string, sessionId: string, limit: number): Promise<{ type: string; nodeId: string | null; at: string; data: Record<string, unknown> }[]> {
      return scoped(tenantId, async (em) => {
        const rows = await em.execute<{ type: string; node_id: string | null; at: Date | string; data: Record<string, unknown> | null }[]>(
          `select type, node_id, at, data from analytics_event where tenant_id = ? and session_id = ? order by id limit ?`, [tenantId, sessionId, limit]);
        return rows.map((r) => ({ type: r.type, nodeId: r.node_id, at: new Date(r.at).toISOString(), data: r.data ?? {} }));
      });
    },

    async nodeSeen(tenantId: string, botId: string, nodeId: string): Promise<boolean> {
      return scoped(tenantId, async (em) => (await em.execute(`select 1 from analytics_node_month where tenant_id = ? and bot_id = ? and node_id = ? limit 1`, [tenantId, botId, nodeId])).length > 0);
    },

    /** Messages by intent and by day; undefined when the tenant has no such bot. */
    async intents(f: AnalyticsFilter) {
      return scoped(f.tenantId, async (em) => {
        const w = where(f);
        const [found] = await em.execute<{ bot: boolean; rows: Record<string, string>[] }[]>(
          `select exists (select 1 from bot where id = ? and tenant_id = ?) as bot,
             (select coalesce(json_agg(r order by r.day, r.intent), '[]') from (
               select to_char(day, 'YYYY-MM-DD') as day, intent, sum(messages) messages, sum(sentiment_sum) sentiment_sum, sum(sentiment_count) sentiment_count
               from analytics_intent_day where ${w.sql} group by day, intent) r) as rows`, [f.botId, f.tenantId, ...w.params]);
        if (!found?.bot) return undefined;
        const rows = found.rows;
        const totals = new Map<string, { messages: number; sum: number; count: number }>();
        for (const r of rows) {
          const t = totals.get(r.intent!) ?? { messages: 0, sum: 0, count: 0 };
          t.messages += n(r.messages); t.sum += n(r.sentiment_sum); t.count += n(r.sentiment_count);
          totals.set(r.intent!, t);
        }
        const average = (sum: number, count: number) => (count === 0 ? null : Math.round((sum / count) * 1000) / 1000);
        return {
          intents: [...totals].map(([intent, t]) => ({ intent: intent === "" ? null : intent, messages: t.messages, averageSentiment: average(t.sum, t.count) }))
            .sort((a, b) => b.messages - a.messages),
          byDay: rows.map((r) => ({ day: r.day!, intent: r.intent === "" ? null : r.intent!, messages: n(r.messages), averageSentiment: average(n(r.sentiment_sum), n(r.sentiment_count)) })),
        };
      });
    },
  };
}
export type AnalyticsStore = ReturnType<typeof createAnalyticsStore>;
