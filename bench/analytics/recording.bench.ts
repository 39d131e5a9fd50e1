/**
 * bench/analytics (recording): what recording analytics events adds to a turn. Two platform nodes
 * in this one process, each on its own database, the same but for ANALYTICS_RECORDING (on: every
 * event of every turn is buffered and written in batches; off: analytics listens to nothing). The
 * example flow's conversations run through HTTP against each in interleaved rounds, as in
 * bench/runtime/http.bench.ts. Prints messages per second for both and the turn cost ratio
 * (time per message with recording over without); the target is under 1.05. Nothing is asserted.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test scripts/node24.sh node bench/analytics/recording.bench.ts
 * Without TEST_DATABASE_URL both nodes run on embedded PGlite.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../core/kernel/config/config.ts";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { startPlatform } from "../../core/server/platform.ts";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { createTestDatabase, testServices } from "../../test/kit/test-services.ts";
import { median } from "../kit/http-load.ts";
import { driveConversations } from "../kit/conversation-load.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 3000);
const users = Number(process.env.BENCH_USERS ?? 32);
const operatorKey = "op_bench_operator_key_long_enough_000";

async function startNode(recording: boolean) {
  const dataDir = mkdtempSync(join(tmpdir(), "bp-bench-an-"));
  const database = testServices.postgresUrl ? await createTestDatabase() : undefined;
  const config = loadConfig({
    PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "error", DEMO: "false", PLATFORM_ADMIN_KEY: operatorKey,
    RATE_LIMIT_PAID_PER_MINUTE: "100000000", QUOTA_PAID_MESSAGES_PER_MONTH: "1000000000", DB_POOL_MAX: "10",
    CHAT_SESSION_STARTS_FREE_PER_MINUTE: "100000000", CHAT_SESSION_STARTS_PAID_PER_MINUTE: "100000000", CHAT_SESSION_STARTS_IN_FLIGHT: "10000",
    ANALYTICS_RECORDING: String(recording), NAMESPACE: `bench-analytics-${recording ? "on" : "off"}`,
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const platform = await startPlatform(config, { logger: createLogger("error"), inMemoryDatabase: true, pluginFolders: ["plugins"] });
  const base = platform.gateway.url!;
  const call = async (method: string, path: string, key: string, body?: unknown) =>
    (await fetch(base + path, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<any>;
  const tenant = await call("POST", "/v1/admin/tenants", operatorKey, { name: "Bench", tier: "paid" });
  await call("PATCH", `/v1/admin/tenants/${tenant.id}`, tenant.keys.admin, { settings: { messagesPerMinutePerUser: 600 } });
  const bot = await call("POST", "/v1/admin/bots", tenant.keys.admin, { name: "Example", flow: exampleFlow });
  return {
    drive: () => driveConversations({ base, key: tenant.keys.widget, botId: bot.id, users, durationMs }),
    /** Sessions analytics counted, so the printout shows recording did happen. */
    started: async () => {
      await platform.broker.call("analytics.flush");
      const today = new Date().toISOString().slice(0, 10);
      return (await call("GET", `/v1/admin/bots/${bot.id}/analytics?from=${today}&to=${today}`, tenant.keys.admin)).sessions.started as number;
    },
    async stop() {
      await platform.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const on = await startNode(true);
const off = await startNode(false);
await on.drive(); // warm up both: JIT, caches, connection pools
await off.drive();
const onRates: number[] = [];
const offRates: number[] = [];
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
  for (const [node, rates] of i % 2 === 0 ? [[off, offRates], [on, onRates]] as const : [[on, onRates], [off, offRates]] as const) {
    const result = await node.drive();
    if (result.errors > 0) console.log(`  (round ${i + 1}: ${result.errors} requests failed)`);
    rates.push(result.messages / result.seconds);
  }
}
const ratio = median(offRates) / median(onRates);
console.log(`database                  ${testServices.postgresUrl ? "PostgreSQL server" : "embedded PGlite"}, ${users} users, ${rounds} rounds of ${durationMs} ms`);
console.log(`recording off             ${median(offRates).toFixed(0)} msg/s (rounds: ${offRates.map((r) => r.toFixed(0)).join(", ")})`);
console.log(`recording on              ${median(onRates).toFixed(0)} msg/s (rounds: ${onRates.map((r) => r.toFixed(0)).join(", ")})`);
console.log(`sessions recorded (on)    ${await on.started()}`);
console.log(`turn cost ratio on/off    ${ratio.toFixed(3)}  (target < 1.05)`);
await on.stop();
await off.stop();
