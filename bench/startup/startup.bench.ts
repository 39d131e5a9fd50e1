/**
 * bench/startup: how long a node takes from `node` to `GET /health` answering 200, with a fresh data
 * folder (the embedded database created and migrated) and with the folder the previous start left,
 * and how much memory it holds once idle: the main process and any process below it (sandbox
 * workers, which should not exist before tenant code first runs). Beside it, in the same run, a
 * bare node:http process started and asked the same way, as the floor on this machine.
 *
 * Targets (issue 19): a start under 3 s with an existing data folder and under 6 s with a fresh
 * one; idle resident memory under 250 MB; no sandbox worker before first use.
 *
 *   scripts/node24.sh node bench/startup/startup.bench.ts
 * BENCH_ROUNDS (3) starts of each kind, BENCH_IDLE_SECONDS (10) of quiet before memory is read.
 * With TEST_DATABASE_URL the node uses a fresh PostgreSQL database instead (the first start
 * migrates it, the next ones find it migrated).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "../../test/kit/test-services.ts";
import { median } from "../kit/http-load.ts";
import { treeMemory } from "../load/process-memory.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
// BENCH_PLATFORM_ROOT=/path/to/another/checkout starts that checkout's node instead, to compare two versions in one run of this bench.
const nodeScript = process.env.BENCH_PLATFORM_ROOT ? `${process.env.BENCH_PLATFORM_ROOT}/bench/webhooks/platform-node.ts` : new URL("../webhooks/platform-node.ts", import.meta.url).pathname;
const bareScript = new URL("../load/bare-server.ts", import.meta.url).pathname;

/** Starts `script`, polls its /health every 20 ms; resolves with the time to the first 200. */
async function timeToHealthy(script: string, env: Record<string, string>): Promise<{ ms: number; child: ChildProcess }> {
  const started = performance.now();
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  let url: string | undefined;
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => { url ??= /READY (\S+)/.exec(chunk)?.[1]; });
  const deadline = started + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited before it was healthy (${child.exitCode})`);
    if (performance.now() > deadline) { child.kill("SIGKILL"); throw new Error(`${script} was not healthy within 180 s`); }
    if (url) {
      const status = await fetch(`${url}/health`).then((r) => r.status, () => 0);
      if (status === 200) return { ms: performance.now() - started, child };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", () => { clearTimeout(killer); resolve(); });
    child.kill("SIGTERM");
  });
}

const database = process.env.TEST_DATABASE_URL ? await createTestDatabase() : undefined;
const dataDir = mkdtempSync(join(tmpdir(), "bp-bench-start-"));
const results = { fresh: [] as number[], existing: [] as number[], bare: [] as number[], idleMain: [] as number[], idleWorkers: [] as number[], idleBelowMiB: [] as number[], bareRss: [] as number[] };

for (let round = 0; round < rounds; round++) {
  // Fresh: a new folder (PGlite) or, on PostgreSQL, the first start migrates an empty database.
  const folder = join(dataDir, `r${round}`);
  const fresh = database ? (round === 0 ? database.url : undefined) : folder;
  const env = (dir: string) => ({
    PORT: "0", HOST: "127.0.0.1", DATA_DIR: dir, DEMO: "false", LOG_LEVEL: "warn", NODE_ENV: "development",
    PLATFORM_ADMIN_KEY: "op_bench_operator_key_long_enough_000", ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const b = await timeToHealthy(bareScript, {});
  results.bare.push(b.ms);
  results.bareRss.push(treeMemory(b.child.pid!).main);
  await stop(b.child);
  if (fresh !== undefined) {
    const first = await timeToHealthy(nodeScript, env(folder));
    results.fresh.push(first.ms);
    await stop(first.child);
  }
  const again = await timeToHealthy(nodeScript, env(database ? join(dataDir, "pg") : folder));
  results.existing.push(again.ms);
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const memory = treeMemory(again.child.pid!);
  results.idleMain.push(memory.main);
  results.idleWorkers.push(memory.children.length);
  results.idleBelowMiB.push(memory.children.reduce((sum, mib) => sum + mib, 0));
  await stop(again.child);
}

const list = (values: number[], digits = 0) => values.map((v) => v.toFixed(digits)).join(", ");
console.log(`machine                ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`database               ${database ? "PostgreSQL server" : "embedded PGlite in the data folder"}`);
console.log(`bare node:http         ${median(results.bare).toFixed(0)} ms to its first 200 (rounds: ${list(results.bare)}); ${median(results.bareRss).toFixed(0)} MiB resident`);
if (results.fresh.length) console.log(`start, fresh data      ${median(results.fresh).toFixed(0)} ms to /health 200 (rounds: ${list(results.fresh)})  (target < 6000)  ratio to bare ${(median(results.fresh) / median(results.bare)).toFixed(1)}`);
console.log(`start, existing data   ${median(results.existing).toFixed(0)} ms to /health 200 (rounds: ${list(results.existing)})  (target < 3000)  ratio to bare ${(median(results.existing) / median(results.bare)).toFixed(1)}`);
console.log(`idle after ${idleSeconds} s         main process ${median(results.idleMain).toFixed(0)} MiB resident (rounds: ${list(results.idleMain)})  (target < 250); processes below it: ${list(results.idleWorkers)}, holding ${list(results.idleBelowMiB)} MiB`);
rmSync(dataDir, { recursive: true, force: true });
await database?.drop();
