/**
 * bench/analytics (reads): the analytics API at a year of one bot's traffic, by default 1 million
 * sessions and 20 million raw events, against a plain `count(*)` over the rollup each call reads
 * (same rows, same index, straight over a `pg` connection) as the baseline. Prints p95 of each
 * API call (through HTTP, key check, role check and the tenant's row-level security scope), p95 of
 * its baseline, and the ratio; the target is p95 under 100 ms. Nothing is asserted.
 *
 * The data is generated in the database with generate_series, not recorded through turns: the
 * rollups (hourly and daily, nodes, seconds-to-leave histograms and funnel paths by day and month, intents, turns)
 * sum to BENCH_SESSIONS sessions over 365 days, 3 channels and 2 flow versions of a 12-node flow;
 * the raw event log gets BENCH_EVENTS rows (the API never reads it; it is there so the tables and
 * indexes are the size they would be).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test scripts/node24.sh node bench/analytics/reads.bench.ts
 * BENCH_SESSIONS (1000000), BENCH_EVENTS (20000000), BENCH_READS (50 per call). The bench makes its
 * own database on that server and drops it at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { loadConfig } from "../../core/kernel/config/config.ts";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { startPlatform } from "../../core/server/platform.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!serverUrl) throw new Error("Set BENCH_DATABASE_URL to a PostgreSQL server (the bench creates and drops its own database there)");
const sessions = Number(process.env.BENCH_SESSIONS ?? 1_000_000);
const events = Number(process.env.BENCH_EVENTS ?? 20_000_000);
const reads = Number(process.env.BENCH_READS ?? 50);
const operatorKey = "op_bench_operator_key_long_enough_000";

const name = `bp_bench_analytics_${process.pid}_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database "${name}"`);
await admin.end();
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${name}`;
const dataDir = mkdtempSync(join(tmpdir(), "bp-bench-reads-"));

const platform = await startPlatform(loadConfig({
  PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "error", DEMO: "false", PLATFORM_ADMIN_KEY: operatorKey,
  RATE_LIMIT_PAID_PER_MINUTE: "100000000", DATABASE_URL: databaseUrl.toString(),
}), { logger: createLogger("error"), pluginFolders: ["plugins"] });
const base = platform.gateway.url!;
const call = async (method: string, path: string, key: string, body?: unknown) =>
  (await fetch(base + path, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<any>;
const tenant = await call("POST", "/v1/admin/tenants", operatorKey, { name: "Bench", tier: "paid" });
const nodeIds = Array.from({ length: 12 }, (_, i) => `n${i}`);
const flow = {
  start: "n0",
  nodes: nodeIds.map((id, i) => i === 0
    ? { id, type: "message", content: { messages: [{ type: "text", text: "Hi" }] }, connections: { default: "n1" } }
    : i === 11 ? { id, type: "end", content: {} }
      : { id, type: "question", content: { question: `Q${i}?`, variable: `user.q${i}` }, connections: { default: nodeIds[i + 1] } }),
};
const bot = await call("POST", "/v1/admin/bots", tenant.keys.admin, { name: "Bench", flow });
if (!bot.id) throw new Error(`bot not created: ${JSON.stringify(bot)}`);

const db = new pg.Client({ connectionString: databaseUrl.toString() });
await db.connect();
const timed = async (what: string, sql: string, params: unknown[] = []) => {
  const began = performance.now();
  await db.query(sql, params);
  console.log(`  ${what.padEnd(34)} ${((performance.now() - began) / 1000).toFixed(1)} s`);
};

const to = new Date().toISOString().slice(0, 10);
const from = new Date(Date.parse(to) - 364 * 86_400_000).toISOString().slice(0, 10);
const ids = [tenant.id, bot.id];
// The cohort grid every rollup shares: 365 days × 3 channels × 2 versions, sessions spread evenly.
const grid = `select $1::uuid t, $2::uuid b, d::date d, ch, v, ($3::bigint / (365 * 6)) s
  from generate_series($4::date, $5::date, interval '1 day') d, unnest(array['web', 'whatsapp', 'sms']) ch, unnest(array['1', '2']) v`;
const gridParams = [...ids, sessions, from, to];
console.log(`generating ${sessions} sessions and ${events} events (365 days, 3 channels, 2 versions, 12 nodes)`);
await timed("analytics_bot_day", `insert into analytics_bot_day select t, b, d, ch, v, s, s * 6 / 10, s * 3 / 10, s / 10, s * 6, s * 8, s * 900, s * 0.0012 from (${grid}) g`, gridParams);
await timed("analytics_bot_hour", `insert into analytics_bot_hour select t, b, d + make_interval(hours => h), ch, v, s / 24, s * 6 / 240, s * 3 / 240, s / 240, s / 4, s / 3, s * 900 / 24, s * 0.00005
  from (${grid}) g, generate_series(0, 23) h`, gridParams);
await timed("analytics_turns_day", `insert into analytics_turns_day select t, b, d, ch, v, turns, greatest(1, s / 20) from (${grid}) g, generate_series(0, 19) turns`, gridParams);
await timed("analytics_node_day", `insert into analytics_node_day select t, b, d, ch, v, 'n' || i, s * (24 - i) / 24, s * (24 - i) / 24, s * (23 - i) / 24, s / 24, s / 50, s / 500, s * 0.1, s / 2
  from (${grid}) g, generate_series(0, 11) i`, gridParams);
await timed("analytics_node_leave_day", `insert into analytics_node_leave_day select t, b, d, ch, v, 'n' || i, sec, greatest(1, s / 40)
  from (${grid}) g, generate_series(0, 11) i, generate_series(0, 39) k, lateral (select case when k < 30 then k * 4 else 120 + (k - 30) * 300 end sec) x`, gridParams);
await timed("analytics_path_day", `insert into analytics_path_day select t, b, d, ch, v, 'n' || i, 'n' || j, s * (24 - j) / 24
  from (${grid}) g, generate_series(0, 10) i, generate_series(1, 11) j where j > i`, gridParams);
for (const [table, keys] of [["analytics_node", "node_id"], ["analytics_node_leave", "node_id, seconds"], ["analytics_path", "from_node, to_node"]]) {
  const sums = table === "analytics_node"
    ? "sum(entered), sum(left_count), sum(reached), sum(drop_off), sum(validation_failures), sum(errors), sum(sentiment_sum), sum(sentiment_count)" : "sum(sessions)";
  await timed(`${table}_month`, `insert into ${table}_month select tenant_id, bot_id, date_trunc('month', day)::date, channel, flow_version, ${keys}, ${sums}
    from ${table}_day group by tenant_id, bot_id, 3, channel, flow_version, ${keys}`);
}
await timed("analytics_intent_day", `insert into analytics_intent_day select t, b, d, ch, v, intent, s / 2, s * 0.05, s / 4
  from (${grid}) g, unnest(array['', 'greeting', 'pricing', 'opening_hours', 'complaint', 'order_status', 'refund', 'goodbye']) intent`, gridParams);
await timed("analytics_session", `insert into analytics_session (session_id, tenant_id, bot_id, channel, flow_version, started_at, turns, outcome, ended_at)
  select md5(i::text)::uuid, $1, $2, (array['web', 'whatsapp', 'sms'])[1 + i % 3], (array['1', '2'])[1 + i % 2],
    $3::timestamptz + make_interval(secs => (i::bigint * 31536000 / $4)::double precision), i % 20, 'completed', $3::timestamptz + make_interval(secs => (i::bigint * 31536000 / $4)::double precision)
  from generate_series(1, $4::int) i`, [...ids, `${from}T00:00:00Z`, sessions]);
const chunk = 2_000_000;
for (let done = 0; done < events; done += chunk) {
  const n = Math.min(chunk, events - done);
  await timed(`analytics_event ${done + n}`, `insert into analytics_event (tenant_id, bot_id, session_id, type, node_id, at)
    select $1, $2, md5((1 + (i * $5::bigint / $6) % $5)::text)::uuid, (array['session.started', 'node.entered', 'node.left', 'message.received', 'message.sent'])[1 + i % 5],
      'n' || (i % 12), $3::timestamptz + make_interval(secs => (i::bigint * 31536000 / $6)::double precision)
    from generate_series($4::bigint, $4::bigint + $7 - 1) i`, [...ids, `${from}T00:00:00Z`, done, sessions, events, n]);
}
await timed("analyze", "analyze");
const [{ started }] = (await db.query(`select sum(started)::bigint started from analytics_bot_day where bot_id = $1`, [bot.id])).rows;
const [{ count: eventCount }] = (await db.query(`select count(*) from analytics_event`)).rows;
console.log(`  sessions in the rollups: ${started}; events in the log: ${eventCount}`);

const p95 = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)]!;
async function measure(run: () => Promise<unknown>): Promise<number> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < reads; i++) {
    const began = performance.now();
    await run();
    samples.push(performance.now() - began);
  }
  return p95(samples);
}
const range = `from=${from}&to=${to}`;
const api = (path: string, accept = "application/json") => async () => {
  const response = await fetch(`${base}/v1/admin/bots/${bot.id}/analytics${path}`, { headers: { authorization: `Bearer ${tenant.keys.admin}`, accept } });
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  await response.text();
};
const count = (table: string) => () => db.query(`select count(*) from ${table} where tenant_id = $1 and bot_id = $2 and day >= $3 and day <= $4`, [...ids, from, to]);
const cases: [string, () => Promise<unknown>, string][] = [
  ["summary, a year", api(`?${range}`), "analytics_bot_day"],
  ["summary, 31 days, by hour", api(`?from=${new Date(Date.parse(to) - 30 * 86_400_000).toISOString().slice(0, 10)}&to=${to}&interval=hour`), "analytics_bot_day"],
  ["summary, 30 days, one channel", api(`?channel=whatsapp`), "analytics_bot_day"],
  ["nodes, a year", api(`/nodes?${range}`), "analytics_node_day"],
  ["nodes, a year, CSV", api(`/nodes?${range}`, "text/csv"), "analytics_node_day"],
  ["funnel n1 → n10, a year", api(`/funnel?${range}&fromNode=n1&toNode=n10`), "analytics_path_day"],
  ["intents, a year", api(`/intents?${range}`), "analytics_intent_day"],
  ["sentiment, a year", api(`/sentiment?${range}`), "analytics_intent_day"],
];
console.log(`\np95 of ${reads} reads each, against count(*) over the same rollup and range`);
console.log(`${"call".padEnd(32)} ${"API p95".padStart(10)} ${"count(*) p95".padStart(13)} ${"ratio".padStart(7)}  (target: API p95 < 100 ms)`);
for (const [label, run, table] of cases) {
  const apiP95 = await measure(run);
  const baseP95 = await measure(count(table));
  console.log(`${label.padEnd(32)} ${`${apiP95.toFixed(1)} ms`.padStart(10)} ${`${baseP95.toFixed(1)} ms`.padStart(13)} ${(apiP95 / baseP95).toFixed(1).padStart(7)}`);
}

await db.end();
await platform.stop();
const dropper = new pg.Client({ connectionString: serverUrl });
await dropper.connect();
await dropper.query(`drop database if exists "${name}" with (force)`);
await dropper.end();
rmSync(dataDir, { recursive: true, force: true });
