import http from "node:http";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

/**
 * A small closed-loop HTTP load generator: `concurrency` keep-alive connections each sending the
 * next request as soon as the last answered, for `durationMs`. It runs on its own worker thread so
 * that the server under test has the main thread to itself, as it would behind real clients.
 */
export type LoadOptions = { concurrency: number; durationMs: number; method?: string; body?: string };
export type LoadResult = { rps: number; errors: number };

export function measureRequestsPerSecond(url: string, headers: Record<string, string>, options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { url, headers, options } });
    worker.once("message", (result: LoadResult) => resolve(result));
    worker.once("error", reject);
  });
}

async function generateLoad(url: string, headers: Record<string, string>, options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = new URL(url);
  const deadline = Date.now() + options.durationMs;
  let done = 0;
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? "GET", headers, agent }, (res) => {
        if (res.statusCode !== 200) errors++;
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(options.body);
    });
  const started = Date.now();
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    while (Date.now() < deadline) {
      await one();
      done++;
    }
  }));
  agent.destroy();
  return { rps: done / ((Date.now() - started) / 1000), errors };
}

if (!isMainThread && workerData?.url) {
  const { url, headers, options } = workerData as { url: string; headers: Record<string, string>; options: LoadOptions };
  parentPort?.postMessage(await generateLoad(url, headers, options));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
