/**
 * bench/load: a platform node under autocannon, beside a bare node:http server loaded the same way
 * in the same run. Both servers run in their own processes (the node as `npm start` runs it:
 * bench/webhooks/platform-node.ts), autocannon in this one.
 *
 * Scenarios (BENCH_SCENARIO, default both):
 * - `chat`: web chat turns. BENCH_SESSIONS (50) sessions of a message → question → message loop,
 *   BENCH_CONNECTIONS (20) keep-alive connections each sending the next turn as soon as the last
 *   answered, BENCH_SECONDS (20) per side. A turn is one `POST /v1/chat/sessions/{id}/messages`.
 * - `whatsapp`: signed WhatsApp webhooks from BENCH_SESSIONS senders, same connections and time;
 *   the replies go to a fake Graph API (bench/webhooks/meta-side.ts).
 * Each prints turns/s, latency p50/p95/p99 and errors (non-2xx, timeouts) for both servers, and
 * the ratio platform/bare.
 *
 * Soak (BENCH_SOAK_SECONDS=1800): the chat scenario only, at a steady BENCH_RATE (300) turns/s
 * for that long, no baseline; the node's resident memory is sampled every 10 s and the report
 * gives the growth from the end of the first minute to the end, and per minute.
 *
 * Database: TEST_DATABASE_URL (or BENCH_DATABASE_URL) gives a fresh PostgreSQL database; without
 * one the node uses its embedded PGlite. TEST_REDIS_URL and TEST_NATS_URL are passed on when set.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test scripts/node24.sh node bench/load/load.bench.ts
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_SOAK_SECONDS=1800 scripts/node24.sh node bench/load/load.bench.ts
 */
import { spawn } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import autocannon from "autocannon";
import { createTestDatabase } from "../../test/kit/test-services.ts";
import { quantile } from "../webhooks/open-loop-load.ts";
import { startMetaSide, type MetaSide } from "../webhooks/meta-side.ts";
import { echoFlow, PHONE_ID, signedTextWebhook, startNodeProcess, waSecrets } from "../webhooks/whatsapp-burst.ts";
import { treeMemory } from "./process-memory.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const sessions = Number(process.env.BENCH_SESSIONS ?? 50);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 0);
const soakRate = Number(process.env.BENCH_RATE ?? 300);
const scenarios = (process.env.BENCH_SCENARIO ?? (soakSeconds ? "chat" : "chat,whatsapp")).split(",");

/** message → question → message, for ever: every turn answers the question and gets one message back. */
const loopFlow = {
  start: "hello",
  nodes: [
    { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Hello." }] }, connections: { default: "ask" } },
    { id: "ask", type: "question", content: { question: "What now?", input_type: "text", variable: "user.said" }, connections: { default: "echo" } },
    { id: "echo", type: "message", content: { messages: [{ type: "text", text: "You said {{user.said}}." }] }, connections: { default: "ask" } },
  ],
};

const operatorKey = "op_bench_operator_key_long_enough_000";
const database = process.env.BENCH_DATABASE_URL ? { url: process.env.BENCH_DATABASE_URL, drop: async () => {} } : process.env.TEST_DATABASE_URL ? await createTestDatabase() : undefined;
const meta: MetaSide | undefined = scenarios.includes("whatsapp") ? await startMetaSide() : undefined;
const node = await startNodeProcess({
  PLATFORM_ADMIN_KEY: operatorKey, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn", NODE_ENV: "development",
  QUOTA_PAID_MESSAGES_PER_MONTH: "1000000000", RATE_LIMIT_PAID_PER_MINUTE: "100000000", WHATSAPP_SEND_PER_SECOND: "1000",
  CHAT_SESSION_STARTS_FREE_PER_MINUTE: "100000000", CHAT_SESSION_STARTS_PAID_PER_MINUTE: "100000000", CHAT_SESSION_STARTS_IN_FLIGHT: "10000",
  ...(meta ? { WHATSAPP_GRAPH_URL: meta.graphBase } : {}),
  ...(database ? { DATABASE_URL: database.url, DB_POOL_MAX: "20" } : {}),
  ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_PREFIX: `bpload${process.pid}:` } : {}),
  ...(process.env.TEST_NATS_URL ? { TRANSPORTER: process.env.TEST_NATS_URL, NAMESPACE: `bpload${process.pid}` } : {}),
}, 120_000);
// BENCH_NODE_LOG=1 shows the node's own log lines (at BENCH_LOG_LEVEL, warn by default).
if (process.env.BENCH_NODE_LOG === "1") node.process.stdout!.on("data", (chunk: string) => process.stderr.write(chunk));
const bare = await startBare();

async function call(method: string, path: string, key: string, body?: unknown): Promise<any> {
  const response = await fetch(node.url + path, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}
const tenant = await call("POST", "/v1/admin/tenants", operatorKey, { name: "Load", tier: "paid" });
// The most the tenant settings allow: 600 turns a minute per session, so 50 sessions cap a node at 500 turns/s.
await call("PATCH", `/v1/admin/tenants/${tenant.id}`, tenant.keys.admin, { settings: { messagesPerMinutePerUser: 600 } });

type Measured = { rps: number; p50: number; p95: number; p99: number; errors: number; total: number };

/** One autocannon run; latencies are kept per response so p95 is exact (autocannon's own table stops at 97.5). */
async function load(options: autocannon.Options): Promise<Measured> {
  const latencies: number[] = [];
  let errors = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ connections, duration: seconds, timeout: 10, ...options }, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else errors++;
    });
  });
  errors += result.errors + result.timeouts;
  return {
    rps: latencies.length / (result.duration || seconds), p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99),
    errors, total: latencies.length + errors,
  };
}

async function chatScenario(): Promise<{ target: (base: string, extra?: Partial<autocannon.Options>) => Promise<Measured> }> {
  const bot = await call("POST", "/v1/admin/bots", tenant.keys.admin, { name: "Loop", flow: loopFlow });
  const ids: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const response = await fetch(`${node.url}/v1/chat/sessions`, { method: "POST", headers: { "x-api-key": tenant.keys.widget, "content-type": "application/json" }, body: JSON.stringify({ botId: bot.id }) });
    ids.push(((await response.json()) as { sessionId: string }).sessionId);
  }
  let next = 0;
  return {
    target: (base, extra) => load({
      url: base, ...extra,
      requests: [{
        method: "POST", headers: { "x-api-key": tenant.keys.widget, "content-type": "application/json" },
        setupRequest: (request) => ({ ...request, path: `/v1/chat/sessions/${ids[next++ % ids.length]}/messages`, body: JSON.stringify({ text: `hello ${next}` }) }),
      }],
    }),
  };
}

async function whatsappScenario(): Promise<{ target: (base: string) => Promise<Measured> }> {
  const bot = await call("POST", "/v1/admin/bots", tenant.keys.admin, { name: "Echo", flow: echoFlow });
  await call("PUT", `/v1/admin/bots/${bot.id}/channels/whatsapp`, tenant.keys.admin, { phoneNumberId: PHONE_ID, ...waSecrets });
  const path = `/v1/channels/whatsapp/${bot.id}/webhook`;
  let next = 0;
  return {
    target: (base) => load({
      url: base,
      requests: [{
        method: "POST", path,
        setupRequest: (request) => {
          const n = next++;
          const { rawBody, signature } = signedTextWebhook(`1777${String(n % sessions).padStart(6, "0")}`, `wamid.load.${process.pid}.${n}`, `hello ${n}`);
          return { ...request, body: rawBody, headers: { "content-type": "application/json", "x-hub-signature-256": signature } };
        },
      }],
    }),
  };
}

function startBare(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [new URL("./bare-server.ts", import.meta.url).pathname], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the bare server exited (${code})`)));
    child.stdout!.setEncoding("utf8");
    child.stdout!.once("data", (line: string) => resolve({ url: line.trim().split(" ")[1]!, stop: () => child.kill("SIGTERM") }));
  });
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const row = (label: string, m: Measured) =>
  `${label.padEnd(22)}${m.rps.toFixed(0).padStart(6)} turns/s  p50 ${ms(m.p50)}  p95 ${ms(m.p95)}  p99 ${ms(m.p99)}  errors ${m.errors} of ${m.total}`;

console.log(`machine               ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at the start`);
console.log(`platform              ${database ? "PostgreSQL server" : "embedded PGlite"}${process.env.TEST_NATS_URL ? ", NATS" : ""}${process.env.TEST_REDIS_URL ? ", Redis" : ""}; ${connections} connections, ${sessions} sessions`);
try {
  if (soakSeconds > 0) {
    const chat = await chatScenario();
    await chat.target(node.url, { duration: 10 }); // warm up
    const samples: { at: number; main: number; children: number }[] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      const memory = treeMemory(node.process.pid!);
      samples.push({ at: (Date.now() - started) / 1000, main: memory.main, children: memory.children.reduce((a, b) => a + b, 0) });
    }, 10_000);
    const soak = await chat.target(node.url, { duration: soakSeconds, overallRate: soakRate });
    clearInterval(sampler);
    console.log(row(`soak ${soakSeconds} s at ${soakRate}/s`, soak));
    const settled = samples.find((s) => s.at >= 60) ?? samples[0];
    const last = samples.at(-1);
    if (settled && last && last !== settled) {
      const growth = last.main - settled.main;
      console.log(`resident memory       main ${settled.main.toFixed(0)} MiB at ${settled.at.toFixed(0)} s → ${last.main.toFixed(0)} MiB at ${last.at.toFixed(0)} s: ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MiB (${((60 * growth) / (last.at - settled.at)).toFixed(2)} MiB/min); processes below it ${last.children.toFixed(0)} MiB`);
      console.log(`samples (s: MiB)      ${samples.map((s) => `${s.at.toFixed(0)}: ${s.main.toFixed(0)}`).join(", ")}`);
    }
  } else {
    for (const scenario of scenarios) {
      const target = scenario === "whatsapp" ? (await whatsappScenario()).target : (await chatScenario()).target;
      await target(bare.url);
      await target(node.url); // warm up: JIT, caches, the connection pool
      const b = await target(bare.url);
      const p = await target(node.url);
      console.log(`— ${scenario === "whatsapp" ? "WhatsApp webhooks (acknowledgement)" : "web chat turns"}, ${seconds} s each`);
      console.log(row("bare node:http", b));
      console.log(row("platform", p));
      console.log(`ratio platform/bare   ${(p.rps / b.rps).toFixed(3)}`);
    }
    const memory = treeMemory(node.process.pid!);
    console.log(`resident memory       main ${memory.main.toFixed(0)} MiB after the load; processes below it (sandbox workers, esbuild): ${memory.children.length ? memory.children.map((c) => `${c.toFixed(0)} MiB`).join(", ") : "none"}`);
  }
} finally {
  await node.stop();
  bare.stop();
  await meta?.close();
  await database?.drop();
}
