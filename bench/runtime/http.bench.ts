/**
 * bench/runtime (end to end): messages per second for the example flow through HTTP on the
 * PostgreSQL server, against a bare node:http server answering the same JSON, in interleaved
 * rounds in this one process. Each virtual user starts a session and answers the two questions
 * (a name, then an age), so every round exercises key checks, limits, flow loading, the turn,
 * compare-and-set and history writes. Target: at least 1,000 messages a second on two cores.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test scripts/node24.sh node bench/runtime/http.bench.ts
 * Without TEST_DATABASE_URL it runs on the embedded PGlite, which is single-session and slower.
 * BENCH_CPU_PROFILE=file.cpuprofile records the main thread during the platform rounds only
 * (summarise it with bench/kit/cpu-profile-summary.ts); the run always prints broker calls, events
 * and database statements per request.
 */
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../core/kernel/config/config.ts";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { startPlatform } from "../../core/server/platform.ts";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { createTestDatabase, testServices } from "../../test/kit/test-services.ts";
import { median } from "../kit/http-load.ts";
import { countWork, startProfiler } from "../kit/work-counters.ts";
import { driveConversations } from "../kit/conversation-load.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 3000);
const users = Number(process.env.BENCH_USERS ?? 32);
const dataDir = mkdtempSync(join(tmpdir(), "bp-bench-rt-"));
const database = testServices.postgresUrl ? await createTestDatabase() : undefined;
const operatorKey = "op_bench_operator_key_long_enough_000";
const config = loadConfig({
  PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "error", DEMO: "false", PLATFORM_ADMIN_KEY: operatorKey,
  RATE_LIMIT_PAID_PER_MINUTE: "100000000", QUOTA_PAID_MESSAGES_PER_MONTH: "1000000000", DB_POOL_MAX: "20",
  ...(database ? { DATABASE_URL: database.url } : {}),
});
const platform = await startPlatform(config, { logger: createLogger("error"), inMemoryDatabase: true, pluginFolders: ["plugins"] });
const base = platform.gateway.url!;
const call = async (method: string, path: string, key: string, body?: unknown) =>
  (await fetch(base + path, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<any>;
const tenant = await call("POST", "/v1/admin/tenants", operatorKey, { name: "Bench", tier: "paid" });
await call("PATCH", `/v1/admin/tenants/${tenant.id}`, tenant.keys.admin, { settings: { messagesPerMinutePerUser: 600 } });
const bot = await call("POST", "/v1/admin/bots", tenant.keys.admin, { name: "Example", flow: exampleFlow });

// The baseline answers what the platform answers, with no work behind it.
const sample = JSON.stringify({ messages: [{ type: "text", text: "How old are you, Ada?" }], input: { type: "number" }, status: "active", revision: 2, ctas: [] });
const bare = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(req.url === "/v1/chat/sessions" ? 201 : 200, { "content-type": "application/json" });
    res.end(req.url === "/v1/chat/sessions" ? JSON.stringify({ sessionId: "00000000-0000-4000-8000-000000000000", ...JSON.parse(sample) }) : sample);
  });
});
await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
const bareBase = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;

const drive = (target: string) => driveConversations({ base: target, key: tenant.keys.widget, botId: bot.id, users, durationMs });
await drive(base); // warm up: JIT, caches, connection pool
const counts = countWork(platform.broker);
const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;
const platformRates: number[] = [];
const bareRates: number[] = [];
let requests = 0;
for (let i = 0; i < rounds; i++) {
  const b = await drive(bareBase);
  bareRates.push(b.messages / b.seconds);
  await profiler?.resume();
  counts.begin();
  const p = await drive(base);
  counts.end();
  await profiler?.pause();
  requests += p.messages + p.starts;
  if (p.errors > 0) console.log(`  (round ${i + 1}: ${p.errors} requests failed)`);
  platformRates.push(p.messages / p.seconds);
}
console.log(`database              ${database ? "PostgreSQL server" : "embedded PGlite"}`);
console.log(`bare node:http        ${median(bareRates).toFixed(0)} msg/s (rounds: ${bareRates.map((r) => r.toFixed(0)).join(", ")})`);
console.log(`platform, example     ${median(platformRates).toFixed(0)} msg/s (rounds: ${platformRates.map((r) => r.toFixed(0)).join(", ")})  (target >= 1000)`);
console.log(`ratio platform/bare   ${(median(platformRates) / median(bareRates)).toFixed(3)}`);
const per = (n: number) => (n / Math.max(1, requests)).toFixed(2);
console.log(`main-thread CPU        ${(counts.cpuMicros / Math.max(1, requests)).toFixed(0)} µs per request (the node's thread, not the load generator's)`);
console.log(`per request (1 start : 2 messages)  broker calls ${per(counts.calls)}, events ${per(counts.events)}, database statements ${per(counts.statements)} (answered in ${(counts.statementMs / Math.max(1, counts.statements)).toFixed(1)} ms on average); mean request ${((1000 * users) / (median(platformRates) * 1.5)).toFixed(1)} ms`);
if (profiler) console.log(`cpu profile           ${await profiler.save(process.env.BENCH_CPU_PROFILE!)}`);
bare.close();
await platform.stop();
await database?.drop();
rmSync(dataDir, { recursive: true, force: true });
