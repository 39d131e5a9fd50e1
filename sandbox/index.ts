/**
 * The sandbox: tenant code that cannot hurt the host, other tenants, or the conversation.
 *
 * What tenant code is. An ES module; its default export (or the export named by `entry`) is
 * called as `fn(input, ctx)` and may be async. `input` is a JSON copy of what the host passed.
 * What it returns is copied out as JSON; for a `code` node that is `{ output?, next? }`.
 *
 * What it can reach. The language and nothing else: no `process`, `require`, timers, `fetch`,
 * `WebAssembly`, `SharedArrayBuffer`/`Atomics`, `WeakRef`, imports of any kind. `console.*` and
 * `ctx.log(...)` write to the run's log (capped). The rest of `ctx` exists only when granted:
 *   `http:host`        ctx.fetch(url, { method, headers, body, timeoutMs }) → { status, ok, headers, body, json() }
 *                      through the SSRF guard (public addresses only, granted hosts only, redirects re-checked)
 *   `kv`               ctx.kv.get/set/delete/list: the tenant's own JSON storage, with a quota
 *   `crypto`           ctx.crypto.randomUUID(), randomBytes(n) (hex), hash(alg, s), hmac(alg, key, s)
 *   `secrets:name`     `{{secret:name}}` in a fetch URL, header or body, filled in by the host;
 *                      ctx.crypto.hmacSecret(alg, name, s). The value never enters the isolate,
 *                      and is masked if a server echoes it back.
 *   `llm`              ctx.llm.complete(request)
 *   `knowledge:read`   ctx.knowledge.search(query, { limit })
 * Everything crosses the boundary as a JSON copy; no host object or reference goes in.
 *
 * Isolation. One isolate per tenant, in a worker process (never the HTTP/broker process); a fresh
 * context for every run, so nothing carries over between runs or end users, not even module
 * state or changes to built-ins. Tenants are spread over workers by a stable hash.
 *
 * Limits (per tier, see sandbox-limits.ts): heap 32 MB, CPU 50 ms per call (continuations after
 * host calls included), wall 5 s (awaiting host calls included), result 256 KiB, input 1 MiB,
 * 4 concurrent runs per tenant, 32 host calls per run. Nothing runs after a run ends: there are
 * no timers, and host answers that arrive late are dropped. An unhandled promise rejection fails
 * the run, as it would end a Node process.
 *
 * Failures are SandboxErrors with a code the tenant can read in the session log:
 * SANDBOX_TIMEOUT, SANDBOX_CPU_LIMIT, SANDBOX_MEMORY_LIMIT, SANDBOX_RESULT_TOO_LARGE,
 * SANDBOX_BAD_RESULT, SANDBOX_THREW (its own message; `data.code` carries a host call's code such
 * as SSRF_BLOCKED), SANDBOX_SYNTAX, SANDBOX_CAPABILITY_DENIED, SANDBOX_BAD_INPUT, and the
 * retryable SANDBOX_ISOLATE_RESET, SANDBOX_WORKER_CRASHED, SANDBOX_BUSY, SANDBOX_THROTTLED,
 * SANDBOX_CLOSED. A CPU, wall or heap limit replaces the tenant's isolate; its other runs in
 * flight at that moment fail with SANDBOX_ISOLATE_RESET. A tenant whose code brings workers down
 * repeatedly is refused with SANDBOX_THROTTLED for a while; other tenants carry on.
 *
 * Wiring (on the broker node that hosts the sandbox; workers are forked at `createSandbox`):
 *
 *   const sandbox = createSandbox({ kv, resolveSecret: (tenantId, name, use) => broker.call("secrets.resolve", { tenantId, name, ...use }), llm, knowledge });
 *   broker.createService(createSandboxService(sandbox));
 *   // anywhere: broker.call("sandbox.run", { tenantId, source, input, grants })  → { output?, next?, logs }   (ctx.runCode)
 *   //           broker.call("sandbox.execute", { tenantId, source, entry, input, grants }) → { value, logs, stats }   (hooks, plugins)
 *
 * Only this folder touches isolated-vm, and it refuses to start on a release older than 7.0.1
 * (GHSA-864f-rcv7-6rh4). Workers run with --no-node-snapshot, as isolated-vm requires on Node 24.
 */
export { createSandbox, workerIndexFor, type Sandbox, type SandboxOptions, type SandboxRunEvent, type SandboxRunRequest, type SandboxRunResult, type TenantSandboxStats } from "./sandbox-supervisor.ts";
export { createSandboxClient, createSandboxService, SandboxMetric, type SandboxRunParams } from "./sandbox.service.ts";
export { assertSafeIsolatedVm, MIN_ISOLATED_VM } from "./isolated-vm-version.ts";
export { isSandboxError, restoreSandboxError, SandboxError, SandboxErrorCode } from "./sandbox-errors.ts";
export { DEFAULT_LIMITS, resolveLimits, sandboxLimitsSchema, type SandboxLimits, type SandboxTiers } from "./sandbox-limits.ts";
export { createMemoryKeyValueStore, DEFAULT_KV_QUOTA, type KvQuota, type TenantKeyValueStore } from "./kv-store.ts";
export { parseGrants, type Grants } from "./grants.ts";
export type { HostServices } from "./host-bridge.ts";
export { runTenantCode, runTenantPredicate, tenantCodeResultSchema } from "./tenant-code.ts";
