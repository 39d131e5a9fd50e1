import http from "node:http";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

/**
 * An open-loop HTTP load generator: request i leaves at `start + i / rate` whether or not the
 * earlier ones were answered (as Meta's webhooks do), so a server that falls behind faces a growing
 * backlog instead of a politely slower client. Latency is counted from the moment the request
 * left; how late the generator itself was against its plan is reported apart (`lateMsP99`). It
 * runs on its own worker thread so the server under test has the main thread to itself.
 */
export type OpenLoopRequest = { path: string; body: string; headers: Record<string, string> };
export type OpenLoopOptions = { base: string; ratePerSecond: number; requests: OpenLoopRequest[] };
export type OpenLoopResult = { latenciesMs: number[]; errors: number; statuses: Record<string, number>; seconds: number; lateMsP99: number };

export function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: options });
    worker.once("message", (result: OpenLoopResult) => resolve(result));
    worker.once("error", reject);
  });
}

async function generate({ base, ratePerSecond, requests }: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const target = new URL(base);
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const late: number[] = [];
  const one = (request: OpenLoopRequest) =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const req = http.request({
        host: target.hostname, port: target.port, path: request.path, method: "POST", agent,
        headers: { ...request.headers, "content-length": Buffer.byteLength(request.body) },
      }, (res) => {
        res.resume();
        res.on("end", () => {
          latenciesMs.push(performance.now() - sent);
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          if (res.statusCode !== 200) errors++;
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        statuses.error = (statuses.error ?? 0) + 1;
        resolve();
      });
      req.end(request.body);
    });
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < requests.length; i++) {
    const planned = started + (i * 1000) / ratePerSecond;
    const wait = planned - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    late.push(performance.now() - planned);
    pending.push(one(requests[i]));
  }
  await Promise.all(pending);
  agent.destroy();
  return { latenciesMs, errors, statuses, seconds: (performance.now() - started) / 1000, lateMsP99: quantile(late, 0.99) };
}

if (!isMainThread && (workerData as OpenLoopOptions | undefined)?.requests) {
  parentPort?.postMessage(await generate(workerData as OpenLoopOptions));
}

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
