/**
 * bench/plugins (issue 4): the time from an install request (HTTP, to node A) until the installed
 * plugin answers on every node of a two-node NATS cluster, against one broker round trip A → B
 * measured in the same run. "Answers" means a chat turn sent through that node's own HTTP port
 * runs the plugin's node type in the sandbox and its quote comes back; each node is probed in
 * parallel, with a new session per probe, until it does. Then the plugin is uninstalled and the
 * round repeats. Target: under 1 s (PASS or MISS is printed); nothing is asserted.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEST_NATS_URL=nats://127.0.0.1:4222 \
 *     scripts/node24.sh node bench/plugins/install-propagation.bench.ts
 *
 * (BENCH_DATABASE_URL and BENCH_NATS_URL, where set, win over the TEST_ ones, as in the other benches.)
 *
 * BENCH_ROUNDS (default 7) sets the number of install/uninstall rounds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPlatform, type TestPlatform } from "../../test/kit/test-platform.ts";
import { createTestDatabase, testServices, uniqueName } from "../../test/kit/test-services.ts";
import { buildPackage, createIntegrator, quoteFlow } from "../../test/marketplace/marketplace-kit.ts";

const TARGET_MS = 1000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const natsUrl = process.env.BENCH_NATS_URL ?? process.env.TEST_NATS_URL;
if (!databaseUrl || !natsUrl) {
  process.stderr.write("Set TEST_DATABASE_URL (a Postgres to create a database in) and TEST_NATS_URL (or their BENCH_ forms)\n");
  process.exit(1);
}
testServices.postgresUrl = databaseUrl;
const database = await createTestDatabase();
const packages = mkdtempSync(join(tmpdir(), "bp-bench-packages-"));
const namespace = uniqueName("bench");
const env = { MARKETPLACE_DIR: packages, MARKETPLACE_EXAMPLES: "false", RATE_LIMIT_PAID_PER_MINUTE: "1000000" };
const shared = { databaseUrl: database.url, transporter: natsUrl, namespace, pluginFolders: ["plugins", "channels"] };
const a = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-a` } });
const b = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-b` } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

try {
  const bNode = b.platform.broker.nodeID;
  // Wait until A knows B's services (discovery over NATS).
  for (let tries = 0; ; tries++) {
    try { await a.platform.broker.call("sandbox.stats", {}, { nodeID: bNode }); break; } catch (error) { if (tries > 200) throw error; await sleep(50); }
  }
  const integrator = await createIntegrator(a, "Bench Labs");
  await integrator.publish(await buildPackage({ id: "@bench/pricing", version: "1.0.0" }));
  const tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Bench", tier: "paid" } })).body;
  await a.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 600 } } });

  // A bot using the plugin's node type can only be saved while it is installed; it stays across rounds.
  const install = () => a.request("POST", "/v1/admin/plugins", { key: tenant.keys.admin, body: { plugin: "@bench/pricing", grants: ["kv"] } });
  const uninstall = () => a.request("DELETE", "/v1/admin/plugins/@bench/pricing", { key: tenant.keys.admin });
  if ((await install()).status !== 201) throw new Error("first install failed");
  const bot = await a.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Quotes", flow: quoteFlow() } });
  if (bot.status !== 201) throw new Error(bot.text);
  await uninstall();

  /** One chat turn through this node's HTTP port; true when the plugin's quote came back. */
  async function answers(node: TestPlatform): Promise<boolean> {
    const session = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: bot.body.id } });
    const turn = await node.request("POST", `/v1/chat/sessions/${session.body.sessionId}/messages`, { key: tenant.keys.widget, body: { text: "2" } });
    return turn.status === 200 && turn.text.includes("EUR");
  }
  /** Milliseconds from `since` until `node` answers with the plugin. */
  async function answeringAfter(node: TestPlatform, since: number): Promise<number> {
    for (;;) {
      if (await answers(node)) return performance.now() - since;
      if (performance.now() - since > 30_000) throw new Error(`${node.platform.broker.nodeID} never answered`);
    }
  }
  for (const node of [a, b]) if (await answers(node)) throw new Error("the plugin answers before it is installed");

  const everywhere: number[] = [];
  const onA: number[] = [];
  const onB: number[] = [];
  const trips: number[] = [];
  const requests: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await a.platform.broker.call("sandbox.stats", {}, { nodeID: bNode });
      trips.push(performance.now() - t0);
    }
    const started = performance.now();
    const { status } = await install();
    if (status !== 201) throw new Error(`install answered ${status}`);
    requests.push(performance.now() - started);
    const [msA, msB] = await Promise.all([answeringAfter(a, started), answeringAfter(b, started)]);
    onA.push(msA);
    onB.push(msB);
    everywhere.push(Math.max(msA, msB));
    await uninstall();
    // Both nodes must have dropped it before the next round starts.
    while ((await answers(a)) || (await answers(b))) await sleep(5);
  }

  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const install50 = median(everywhere);
  const trip = median(trips);
  const worst = Math.max(...everywhere);
  const line = (text: string) => process.stdout.write(`${text}\n`);
  line(`install request on A → plugin answering on A and B: median ${install50.toFixed(1)} ms, worst ${worst.toFixed(1)} ms over ${rounds} rounds`);
  line(`  (the install request itself: median ${median(requests).toFixed(1)} ms; median until A answers ${median(onA).toFixed(1)} ms, until B answers ${median(onB).toFixed(1)} ms; each includes one chat turn through that node)`);
  line(`one broker round trip A → B: median ${trip.toFixed(2)} ms over ${trips.length} calls; ratio ${(install50 / trip).toFixed(1)}×`);
  line(`target < ${TARGET_MS} ms: ${worst < TARGET_MS ? "PASS" : install50 < TARGET_MS ? "PASS (median; worst round over)" : "MISS"}`);
} finally {
  await a.stop();
  await b.stop();
  await database.drop();
  rmSync(packages, { recursive: true, force: true });
}
