import type { Context, Service, ServiceSchema } from "moleculer";
import type { Sandbox, SandboxRunRequest, SandboxRunResult } from "./sandbox-supervisor.ts";
import { runTenantCode } from "./tenant-code.ts";

/** Prometheus names of the per-tenant figures (served on `/metrics` by the broker's reporter). */
export const SandboxMetric = {
  runs: "sandbox_runs_total",
  cpuSeconds: "sandbox_cpu_seconds_total",
  wallSeconds: "sandbox_run_seconds",
  heapBytes: "sandbox_heap_bytes",
} as const;

/** What other broker nodes may send; secret values never travel through the broker. */
export type SandboxRunParams = Omit<SandboxRunRequest, "secrets">;

const requestParams = {
  tenantId: { type: "string", min: 1, max: 128 },
  source: { type: "string", max: 512 * 1024 },
  input: { type: "any", optional: true },
  grants: { type: "array", items: "string", optional: true, max: 100 },
  tier: { type: "string", optional: true, max: 64 },
  limits: { type: "object", optional: true },
  $$strict: "remove",
} as const;

/**
 * The `sandbox` service: any broker node can call `sandbox.run` and reach the node whose worker
 * processes hold the isolates. It owns the sandbox it is given and closes it when stopped.
 */
export function createSandboxService(sandbox: Sandbox): ServiceSchema {
  let unsubscribe: (() => void) | undefined;
  return {
    name: "sandbox",
    actions: {
      /**
       * `NodeContext.runCode` for any broker node: runs `source` for the tenant and returns
       * `{ output?, next?, logs }` (TenantCodeResult), or fails with a SANDBOX_* code.
       */
      run: {
        params: requestParams,
        handler(ctx: Context<SandboxRunParams>) {
          const { tenantId, source, input, grants, tier, limits } = ctx.params;
          return runTenantCode(sandbox, tenantId, { source, input, grants }, { tier, limits });
        },
      },
      /** Any export of any tenant code (hooks, plugin bundles): returns `{ value, logs, stats }`. */
      execute: {
        params: { ...requestParams, entry: { type: "string", optional: true, max: 128 } },
        handler(ctx: Context<SandboxRunParams>) {
          const { secrets: _dropped, ...request } = ctx.params as SandboxRunRequest;
          return sandbox.run(request);
        },
      },
      /** Per-tenant figures of this node's sandbox. */
      stats() {
        return sandbox.stats();
      },
    },
    created(this: Service) {
      const metrics = this.broker.metrics;
      if (!this.broker.isMetricsEnabled()) return;
      metrics.register({ type: "counter", name: SandboxMetric.runs, description: "Runs of tenant code by outcome (ok or a SANDBOX_* code)", labelNames: ["tenant", "outcome"] });
      metrics.register({ type: "counter", name: SandboxMetric.cpuSeconds, description: "CPU time spent in tenant code", labelNames: ["tenant"], unit: "seconds" });
      metrics.register({ type: "histogram", name: SandboxMetric.wallSeconds, description: "Wall time of runs of tenant code", labelNames: ["tenant"], unit: "seconds", buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10] });
      metrics.register({ type: "gauge", name: SandboxMetric.heapBytes, description: "Heap of the tenant's isolate after its last run", labelNames: ["tenant"], unit: "bytes" });
      unsubscribe = sandbox.onRun((event) => {
        const tenant = event.tenantId;
        metrics.increment(SandboxMetric.runs, { tenant, outcome: event.ok ? "ok" : (event.code ?? "unknown") });
        if (event.stats) {
          metrics.increment(SandboxMetric.cpuSeconds, { tenant }, event.stats.cpuMs / 1000);
          metrics.observe(SandboxMetric.wallSeconds, event.stats.wallMs / 1000, { tenant });
          if (event.stats.heapBytes > 0) metrics.set(SandboxMetric.heapBytes, event.stats.heapBytes, { tenant });
        }
      });
    },
    async started() {
      await sandbox.ready();
    },
    async stopped() {
      unsubscribe?.();
      await sandbox.close();
    },
  };
}

/**
 * A `Sandbox.run` that goes through the `sandbox.execute` action, from any broker node, e.g.
 * `runTenantPredicate(createSandboxClient((a, p) => broker.call(a, p)), request)`.
 * Secret values cannot be passed this way; the sandbox node resolves secrets by name.
 */
export function createSandboxClient(call: (action: string, params: SandboxRunParams) => Promise<unknown>): Pick<Sandbox, "run"> {
  return {
    async run(request) {
      const { secrets: _notSent, ...params } = request;
      return (await call("sandbox.execute", params)) as SandboxRunResult;
    },
  };
}
