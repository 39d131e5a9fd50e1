/**
 * bench/plugins (issue 4): time from an install request on node A to the plugin answering on node
 * B of a two-node cluster (B's flow validator knows the type and a chat turn through B runs it in
 * the sandbox), against one broker round trip A → B in the same run. Target: under 1 s.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_NATS_URL=nats://127.0.0.1:4222 \
 *     scripts/node24.sh node marketplace/bench/install-propagation.bench.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPlatform } from "../../test/kit/test-platform.ts";
import { createTestDatabase, testServices, uniqueName } from "../../test/kit/test-services.ts";
import { buildPackage, createIntegrator, quoteFlow } from "../../test/marketplace/marketplace-kit.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
if (!process.env.BENCH_DATABASE_URL || !process.env.BENCH_NATS_URL) {
  process.stderr.write("Set BENCH_DATABASE_URL (a Postgres to create a database in) and BENCH_NATS_URL\n");
  process.exit(1);
}
testServices.postgresUrl = process.env.BENCH_DATABASE_URL;
const database = await createTestDatabase();
const packages = mkdtempSync(join(tmpdir(), "bp-bench-packages-"));
const namespace = uniqueName("bench");
const shared = { databaseUrl: database.url, transporter: process.env.BENCH_NATS_URL, namespace, pluginFolders: ["plugins", "channels"], env: { MARKETPLACE_DIR: packages, MARKETPLACE_EXAMPLES: "false", RATE_LIMIT_FREE_PER_MINUTE: "100000" } };
const a = await startTestPlatform({ ...shared, env: { ...shared.env, NODE_ID: `${namespace}-a` } });
const b = await startTestPlatform({ ...shared, env: { ...shared.env, NODE_ID: `${namespace}-b` } });
try {
  const bNode = b.platform.broker.nodeID;
  // Wait until A knows B's services (discovery over NATS).
  for (let tries = 0; ; tries++) {
    try { await a.platform.broker.call("sandbox.stats", {}, { nodeID: bNode }); break; } catch (error) { if (tries > 200) throw error; await new Promise((r) => setTimeout(r, 50)); }
  }
  const integrator = await createIntegrator(a, "Bench Labs");
  await integrator.publish(await buildPackage({ id: "@bench/pricing", version: "1.0.0" }));
  const tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Bench", tier: "paid" } })).body;
  const flow = quoteFlow();
  const validOnB = async () => ((await a.platform.broker.call("bots.validate", { tenantId: tenant.id, flow }, { nodeID: bNode })) as { valid: boolean }).valid;

  const installs: number[] = [];
  const trips: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    await a.platform.broker.call("sandbox.stats", {}, { nodeID: bNode });
    trips.push(performance.now() - t0);

    const started = performance.now();
    const installed = await a.request("POST", "/v1/admin/plugins", { key: tenant.keys.admin, body: { plugin: "@bench/pricing", grants: ["kv"] } });
    if (installed.status !== 201) throw new Error(installed.text);
    while (!(await validOnB())) await new Promise((r) => setTimeout(r, 2));
    const bot = await b.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: `r${round}`, flow } });
    const session = await b.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: bot.body.id } });
    const turn = await b.request("POST", `/v1/chat/sessions/${session.body.sessionId}/messages`, { key: tenant.keys.widget, body: { text: "2" } });
    if (!turn.text.includes("EUR")) throw new Error(`node B did not run the plugin: ${turn.text}`);
    installs.push(performance.now() - started);
    await a.request("DELETE", "/v1/admin/plugins/@bench/pricing", { key: tenant.keys.admin });
    while (await validOnB()) await new Promise((r) => setTimeout(r, 2));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const install = median(installs);
  const trip = median(trips);
  process.stdout.write(`install on A → plugin answering on B: median ${install.toFixed(1)} ms over ${rounds} rounds (target < 1000 ms)\n`);
  process.stdout.write(`one broker round trip A → B: median ${trip.toFixed(2)} ms; ratio ${(install / trip).toFixed(1)}×\n`);
} finally {
  await a.stop();
  await b.stop();
  await database.drop();
  rmSync(packages, { recursive: true, force: true });
}
