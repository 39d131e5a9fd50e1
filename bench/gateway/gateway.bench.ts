/**
 * bench/gateway: authenticated admin GETs per second through the whole gateway (key check, tenant
 * rate limit, broker call, JSON) against a bare node:http server answering the same JSON, measured
 * in interleaved rounds in this one process. Prints the ratio; the target is at least 0.5.
 *
 *   scripts/node24.sh node bench/gateway/gateway.bench.ts
 */
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../core/kernel/config/config.ts";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { startPlatform } from "../../core/server/platform.ts";
import { measureRequestsPerSecond, median } from "../kit/http-load.ts";
import { countWork, startProfiler } from "../kit/work-counters.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);

const dataDir = mkdtempSync(join(tmpdir(), "bp-bench-"));
const operatorKey = "op_bench_operator_key_long_enough_000";
const config = loadConfig({
  PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "error", DEMO: "false", PLATFORM_ADMIN_KEY: operatorKey,
  RATE_LIMIT_FREE_PER_MINUTE: "100000000", ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
});
const platform = await startPlatform(config, { logger: createLogger("error"), inMemoryDatabase: true, pluginFolders: [] });
const gatewayUrl = platform.gateway.url!;
const created = await (await fetch(`${gatewayUrl}/v1/admin/tenants`, { method: "POST", headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" }, body: JSON.stringify({ name: "Bench" }) })).json() as { keys: { admin: string } };
const adminHeaders = { authorization: `Bearer ${created.keys.admin}` };
const sameJson = await (await fetch(`${gatewayUrl}/v1/admin/tenant`, { headers: adminHeaders })).text();

const bare = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  res.end(sameJson);
});
await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/v1/admin/tenant`;

// Warm both paths (JIT, auth cache, tenant cache).
await measureRequestsPerSecond(bareUrl, adminHeaders, { concurrency, durationMs: 2000 });
await measureRequestsPerSecond(`${gatewayUrl}/v1/admin/tenant`, adminHeaders, { concurrency, durationMs: 2000 });

const counts = countWork(platform.broker);
const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;
const bareRps: number[] = [];
const gatewayRps: number[] = [];
let requests = 0;
for (let round = 0; round < rounds; round++) {
  bareRps.push((await measureRequestsPerSecond(bareUrl, adminHeaders, { concurrency, durationMs })).rps);
  await profiler?.resume();
  counts.begin();
  const through = await measureRequestsPerSecond(`${gatewayUrl}/v1/admin/tenant`, adminHeaders, { concurrency, durationMs });
  counts.end();
  await profiler?.pause();
  requests += through.rps * (durationMs / 1000);
  if (through.errors > 0) throw new Error(`${through.errors} gateway requests failed`);
  gatewayRps.push(through.rps);
}

const ratio = median(gatewayRps) / median(bareRps);
console.log(`bare node:http        ${median(bareRps).toFixed(0)} req/s (rounds: ${bareRps.map((r) => r.toFixed(0)).join(", ")})`);
console.log(`gateway, admin GET    ${median(gatewayRps).toFixed(0)} req/s (rounds: ${gatewayRps.map((r) => r.toFixed(0)).join(", ")})`);
console.log(`ratio gateway/bare    ${ratio.toFixed(2)}  (target >= 0.5)`);
const per = (n: number) => (n / Math.max(1, requests)).toFixed(2);
console.log(`main-thread CPU       ${(counts.cpuMicros / Math.max(1, requests)).toFixed(0)} µs per request (the node's thread, not the load generator's)`);
console.log(`per request           broker calls ${per(counts.calls)}, events ${per(counts.events)}, database statements ${per(counts.statements)}`);
if (profiler) console.log(`cpu profile           ${await profiler.save(process.env.BENCH_CPU_PROFILE!)}`);

bare.close();
await platform.stop();
rmSync(dataDir, { recursive: true, force: true });
