/**
 * Records analytics events in batches. An event handler only pushes onto an in-memory buffer (no
 * I/O on the turn's path); the buffer is written every `flushMs` or at `flushRows` events,
 * whichever comes first, and on shutdown. One flush is one transaction of a few statements
 * whatever its size: the raw events appended, the sessions' states read (locked) and written,
 * and each rollup incremented with one `insert … on conflict do update`.
 *
 * Durability trade-off, chosen on purpose: a node that dies loses the events of its last batch
 * (at most `flushMs` of them), so figures may under-count a crash; the turns themselves are
 * committed before their events are emitted and are never at risk. A flush that fails is retried
 * with the next batch, up to a bound, so a database outage does not grow the buffer without end.
 *
 * Several nodes: events are balanced to the local analytics service (preferLocal), and a turn of
 * one session may run on another node than its previous turn. Each flush locks the states it
 * reads, so two nodes never overwrite each other's counts; two turns of one session on two nodes
 * within one flush interval may be applied out of order (a rare, bounded error in time-to-leave).
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "../../kernel/observability/logger.ts";
import { applyEvents, emptyDeltas, type RollupDeltas, type SessionState } from "./rollup-deltas.ts";
import type { RecordedEvent } from "./recorded-event.ts";

export type EventRecorder = {
  record(event: RecordedEvent): void;
  /** Writes what is buffered now (reads call it first, so a node reads its own writes). */
  flush(): Promise<void>;
  stop(): Promise<void>;
};

/** Events kept while the database refuses them; beyond it the oldest are dropped, with a warning. */
const MAX_BUFFERED = 100_000;

export function createEventRecorder(em: () => EntityManager, logger: Logger, options: { flushMs: number; flushRows: number }): EventRecorder {
  let buffer: RecordedEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function schedule(): void {
    if (timer || stopped) return;
    timer = setTimeout(() => { timer = undefined; void flush(); }, options.flushMs);
    timer.unref();
  }

  function flush(): Promise<void> {
    flushing = flushing.then(async () => {
      if (timer) { clearTimeout(timer); timer = undefined; }
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      try {
        await writeBatch(em(), batch);
      } catch (error) {
        logger.warn({ err: error, events: batch.length }, "analytics events could not be written; will try again with the next batch");
        buffer = [...batch, ...buffer];
        if (buffer.length > MAX_BUFFERED) {
          logger.warn({ dropped: buffer.length - MAX_BUFFERED }, "analytics buffer full; the oldest events are dropped");
          buffer = buffer.slice(buffer.length - MAX_BUFFERED);
        }
        schedule();
      }
    });
    return flushing;
  }

  return {
    record(event) {
      if (stopped) return;
      buffer.push(event);
      if (buffer.length >= options.flushRows) void flush();
      else schedule();
    },
    flush,
    async stop() {
      await flush();
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

type StateRow = {
  session_id: string; tenant_id: string; bot_id: string; channel: string; flow_version: string; started_at: Date | string;
  node_id: string | null; node_since: Date | string | null; turns: number; handed_off: boolean; visited: string[];
  outcome: SessionState["outcome"]; ended_at: Date | string | null;
};

const date = (value: Date | string | null): Date | null => (value === null ? null : value instanceof Date ? value : new Date(value));

async function writeBatch(root: EntityManager, batch: readonly RecordedEvent[]): Promise<void> {
  await root.transactional(async (tx) => {
    const run = <T extends object[] = object[]>(sql: string, params: unknown[] = []) => tx.execute<T>(sql, params);
    await run(`insert into analytics_event (tenant_id, bot_id, session_id, type, node_id, at, data)
      select tenant_id, bot_id, session_id, type, node_id, at, data from jsonb_to_recordset(?::jsonb)
      as x(tenant_id uuid, bot_id uuid, session_id uuid, type varchar, node_id varchar, at timestamptz, data jsonb)`,
    [JSON.stringify(batch.map((e) => ({ tenant_id: e.tenantId, bot_id: e.botId, session_id: e.sessionId, type: e.type, node_id: e.nodeId, at: e.at.toISOString(), data: Object.keys(e.data).length ? e.data : null })))]);

    const ids = [...new Set(batch.map((e) => e.sessionId).filter((id): id is string => id !== null))];
    const states = new Map<string, SessionState>();
    if (ids.length > 0) {
      const rows = await run<StateRow[]>(`select * from analytics_session where session_id in (select (jsonb_array_elements_text(?::jsonb))::uuid) order by session_id for update`, [JSON.stringify(ids)]);
      for (const r of rows) {
        states.set(r.session_id, {
          sessionId: r.session_id, tenantId: r.tenant_id, botId: r.bot_id, channel: r.channel, flowVersion: r.flow_version, startedAt: date(r.started_at)!,
          nodeId: r.node_id, nodeSince: date(r.node_since), turns: r.turns, handedOff: r.handed_off, visited: r.visited ?? [], outcome: r.outcome, endedAt: date(r.ended_at),
        });
      }
      // A session started before this node recorded (recording switched on later, a call transcript)
      // gets its cohort from the conversation itself.
      const missing = ids.filter((id) => !states.has(id) && !batch.some((e) => e.sessionId === id && e.type === "session.started"));
      if (missing.length > 0) {
        const found = await run<{ id: string; tenant_id: string; bot_id: string; channel: string; flow_version: string; created_at: Date | string }[]>(
          `select id, tenant_id, bot_id, channel, flow_version, created_at from conversation_session where id in (select (jsonb_array_elements_text(?::jsonb))::uuid)`, [JSON.stringify(missing)]);
        for (const r of found) {
          states.set(r.id, {
            sessionId: r.id, tenantId: r.tenant_id, botId: r.bot_id, channel: r.channel.slice(0, 32), flowVersion: String(r.flow_version).slice(0, 32), startedAt: date(r.created_at)!,
            nodeId: null, nodeSince: null, turns: 0, handedOff: false, visited: [], outcome: null, endedAt: null,
          });
        }
      }
    }

    const deltas = emptyDeltas();
    applyEvents(states, batch, deltas);
    if (states.size > 0) {
      await run(`insert into analytics_session (session_id, tenant_id, bot_id, channel, flow_version, started_at, node_id, node_since, turns, handed_off, visited, outcome, ended_at)
        select session_id, tenant_id, bot_id, channel, flow_version, started_at, node_id, node_since, turns, handed_off, array(select jsonb_array_elements_text(visited)), outcome, ended_at
        from jsonb_to_recordset(?::jsonb) as x(session_id uuid, tenant_id uuid, bot_id uuid, channel varchar, flow_version varchar, started_at timestamptz, node_id varchar,
          node_since timestamptz, turns int, handed_off boolean, visited jsonb, outcome varchar, ended_at timestamptz)
        on conflict (session_id) do update set node_id = excluded.node_id, node_since = excluded.node_since, turns = excluded.turns, handed_off = excluded.handed_off,
          visited = excluded.visited, outcome = excluded.outcome, ended_at = excluded.ended_at`,
      [JSON.stringify([...states.values()].map((s) => ({
        session_id: s.sessionId, tenant_id: s.tenantId, bot_id: s.botId, channel: s.channel, flow_version: s.flowVersion, started_at: s.startedAt.toISOString(),
        node_id: s.nodeId, node_since: s.nodeSince?.toISOString() ?? null, turns: s.turns, handed_off: s.handedOff, visited: s.visited, outcome: s.outcome, ended_at: s.endedAt?.toISOString() ?? null,
      })))]);
    }
    await writeRollups(run, deltas);
  });
}

type Run = (sql: string, params?: unknown[]) => Promise<object[]>;

const cohortColumns = "tenant_id uuid, bot_id uuid, channel varchar, flow_version varchar";
const botSums = ["started", "completed", "abandoned", "handed_off", "messages_in", "messages_out", "tokens", "cost_usd"];
const botTypes = "started int, completed int, abandoned int, handed_off int, messages_in int, messages_out int, tokens bigint, cost_usd numeric";
const adding = (table: string, columns: readonly string[]) => columns.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(", ");

/** One statement per rollup: the batch's increments added to what is there. */
async function writeRollups(run: Run, d: RollupDeltas): Promise<void> {
  const json = (rows: Iterable<object>) => JSON.stringify([...rows]);
  if (d.botHours.size > 0) {
    const hours = [...d.botHours.values()].map((r) => ({
      tenant_id: r.tenantId, bot_id: r.botId, channel: r.channel, flow_version: r.flowVersion, hour: r.hour, started: r.started, completed: r.completed, abandoned: r.abandoned,
      handed_off: r.handedOff, messages_in: r.messagesIn, messages_out: r.messagesOut, tokens: r.tokens, cost_usd: r.costUsd,
    }));
    await run(`insert into analytics_bot_hour (tenant_id, bot_id, channel, flow_version, hour, ${botSums.join(", ")})
      select * from jsonb_to_recordset(?::jsonb) as x(${cohortColumns}, hour timestamptz, ${botTypes})
      on conflict (tenant_id, bot_id, hour, channel, flow_version) do update set ${adding("analytics_bot_hour", botSums)}`, [json(hours)]);
    await run(`insert into analytics_bot_day (tenant_id, bot_id, channel, flow_version, day, ${botSums.join(", ")})
      select tenant_id, bot_id, channel, flow_version, (hour at time zone 'UTC')::date, ${botSums.map((c) => `sum(${c})`).join(", ")}
      from jsonb_to_recordset(?::jsonb) as x(${cohortColumns}, hour timestamptz, ${botTypes}) group by 1, 2, 3, 4, 5
      on conflict (tenant_id, bot_id, day, channel, flow_version) do update set ${adding("analytics_bot_day", botSums)}`, [json(hours)]);
  }
  const cohort = (r: { tenantId: string; botId: string; channel: string; flowVersion: string; day: string }) => ({ tenant_id: r.tenantId, bot_id: r.botId, channel: r.channel, flow_version: r.flowVersion, day: r.day });
  const cohortKey = "tenant_id, bot_id, day, channel, flow_version";
  if (d.turns.size > 0) {
    await run(`insert into analytics_turns_day (tenant_id, bot_id, channel, flow_version, day, turns, sessions)
      select * from jsonb_to_recordset(?::jsonb) as x(${cohortColumns}, day date, turns int, sessions int)
      on conflict (${cohortKey}, turns) do update set ${adding("analytics_turns_day", ["sessions"])}`,
    [json([...d.turns.values()].map((r) => ({ ...cohort(r), turns: r.turns, sessions: r.sessions })))]);
  }
  // Nodes, seconds-to-leave and paths go to their day and month rollups from the same rows.
  const dayAndMonth = async (table: string, keys: readonly [string, string][], sums: readonly [string, string][], rows: object[]) => {
    if (rows.length === 0) return;
    const record = `x(${cohortColumns}, day date, ${[...keys, ...sums].map(([c, t]) => `${c} ${t}`).join(", ")})`;
    const keyList = keys.map(([c]) => c).join(", ");
    const sumList = sums.map(([c]) => c);
    const data = json(rows);
    await run(`insert into ${table}_day (tenant_id, bot_id, channel, flow_version, day, ${keyList}, ${sumList.join(", ")})
      select * from jsonb_to_recordset(?::jsonb) as ${record}
      on conflict (${cohortKey}, ${keyList}) do update set ${adding(`${table}_day`, sumList)}`, [data]);
    await run(`insert into ${table}_month (tenant_id, bot_id, channel, flow_version, day, ${keyList}, ${sumList.join(", ")})
      select tenant_id, bot_id, channel, flow_version, date_trunc('month', day)::date, ${keyList}, ${sumList.map((c) => `sum(${c})`).join(", ")}
      from jsonb_to_recordset(?::jsonb) as ${record} group by tenant_id, bot_id, channel, flow_version, 5, ${keyList}
      on conflict (${cohortKey}, ${keyList}) do update set ${adding(`${table}_month`, sumList)}`, [data]);
  };
  await dayAndMonth("analytics_node", [["node_id", "varchar"]], [
    ["entered", "int"], ["left_count", "int"], ["reached", "int"], ["drop_off", "int"], ["validation_failures", "int"], ["errors", "int"],
    ["sentiment_sum", "double precision"], ["sentiment_count", "int"],
  ], [...d.nodes.values()].map((r) => ({
    ...cohort(r), node_id: r.nodeId, entered: r.entered, left_count: r.left, reached: r.reached, drop_off: r.dropOff,
    validation_failures: r.validationFailures, errors: r.errors, sentiment_sum: r.sentimentSum, sentiment_count: r.sentimentCount,
  })));
  await dayAndMonth("analytics_node_leave", [["node_id", "varchar"], ["seconds", "int"]], [["sessions", "int"]],
    [...d.leaves.values()].map((r) => ({ ...cohort(r), node_id: r.nodeId, seconds: r.seconds, sessions: r.sessions })));
  await dayAndMonth("analytics_path", [["from_node", "varchar"], ["to_node", "varchar"]], [["sessions", "int"]],
    [...d.paths.values()].map((r) => ({ ...cohort(r), from_node: r.fromNode, to_node: r.toNode, sessions: r.sessions })));
  if (d.intents.size > 0) {
    await run(`insert into analytics_intent_day (tenant_id, bot_id, channel, flow_version, day, intent, messages, sentiment_sum, sentiment_count)
      select * from jsonb_to_recordset(?::jsonb) as x(${cohortColumns}, day date, intent varchar, messages int, sentiment_sum double precision, sentiment_count int)
      on conflict (${cohortKey}, intent) do update set ${adding("analytics_intent_day", ["messages", "sentiment_sum", "sentiment_count"])}`,
    [json([...d.intents.values()].map((r) => ({ ...cohort(r), intent: r.intent, messages: r.messages, sentiment_sum: r.sentimentSum, sentiment_count: r.sentimentCount })))]);
  }
}
