import assert from "node:assert/strict";
import { isPlatformError, type PlatformError } from "../core/sdk/platform-error.ts";
import type { Sandbox } from "./sandbox-supervisor.ts";
import { workerIndexFor } from "./sandbox-supervisor.ts";

/** Asserts the promise fails with a PlatformError whose code is one of `codes`; returns it. */
export async function failsWith(promise: Promise<unknown>, ...codes: string[]): Promise<PlatformError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected a failure with ${codes.join(" or ")}, but the run succeeded`);
  assert.ok(isPlatformError(caught), `expected a PlatformError, got ${String(caught)}`);
  assert.ok(codes.includes(caught.code), `expected ${codes.join(" or ")}, got ${caught.code}: ${caught.message}`);
  assert.ok(!/node:internal|isolated-vm|\/work\/|at .*\.ts:\d+/.test(caught.message), `the message leaks host details: ${caught.message}`);
  return caught;
}

/** A small benign run whose answer proves the tenant's worker and isolate are fine. */
export async function healthyRun(sandbox: Sandbox, tenantId: string): Promise<void> {
  const result = await sandbox.run({ tenantId, source: "export default (input) => ({ output: { doubled: input.n * 2 } })", input: { n: 21 } });
  assert.deepEqual(result.value, { output: { doubled: 42 } });
}

/** A tenant id that lands on the given worker. */
export function tenantOnWorker(prefix: string, worker: number, workers: number): string {
  for (let i = 0; ; i++) if (workerIndexFor(`${prefix}-${i}`, workers) === worker) return `${prefix}-${i}`;
}
