import { availableParallelism } from "node:os";
import { ValidationError, type PlatformError } from "../core/sdk/platform-error.ts";
import { exposedCapabilities, parseGrants } from "./grants.ts";
import { answerBridgeCall, bridgeFailure, type BridgeRun, type HostServices } from "./host-bridge.ts";
import { createMemoryKeyValueStore } from "./kv-store.ts";
import { restoreSandboxError, SandboxError, SandboxErrorCode } from "./sandbox-errors.ts";
import { resolveLimits, type SandboxLimits, type SandboxTiers } from "./sandbox-limits.ts";
import type { RunMessage, RunReplyMessage, RunStats } from "./sandbox-protocol.ts";
import { assertSafeIsolatedVm } from "./isolated-vm-version.ts";
import { WorkerPool } from "./worker-pool.ts";

export type SandboxRunRequest = {
  tenantId: string;
  /** ESM source. Its `entry` export (default: `default`) is called as `(input, ctx)`. */
  source: string;
  /** Copied in as JSON. */
  input?: unknown;
  /** Export to call: `default`, `validate`, or a path into an exported object (`nodeTypes.upsertContact`). */
  entry?: string;
  /** Capabilities granted to this code (see grants.ts). */
  grants?: readonly string[];
  /** Tier whose limits apply; `limits` narrows or widens them for this call (host code only). */
  tier?: string;
  limits?: Partial<SandboxLimits>;
  /** Secret values by name, for in-process callers; otherwise `resolveSecret` is asked. Never sent to a worker. */
  secrets?: Readonly<Record<string, string>>;
};

export type SandboxRunResult = { value: unknown; logs: string[]; stats: RunStats };

export type SandboxRunEvent = { tenantId: string; ok: boolean; code?: string; stats?: RunStats };

export type TenantSandboxStats = { runs: number; failures: Record<string, number>; cpuMs: number; heapBytes: number };

export type SandboxOptions = Partial<HostServices> & {
  /** Worker processes; default: the number of cores, at most 4. */
  workers?: number;
  tiers?: SandboxTiers;
  /** Idle tenant isolates are released after this long (default 5 minutes). */
  idleMs?: number;
  /** Extra wall time the supervisor grants a worker before killing it as stuck (default 1 s). */
  watchdogGraceMs?: number;
  /** A tenant whose code took `maxCrashes` workers down within `windowMs` is refused for `cooldownMs`. */
  crashLoop?: { maxCrashes?: number; windowMs?: number; cooldownMs?: number };
  log?: (level: "info" | "warn" | "error", message: string, data?: Record<string, unknown>) => void;
};

export type Sandbox = {
  run(request: SandboxRunRequest): Promise<SandboxRunResult>;
  /** Per-tenant figures since start. */
  stats(): Record<string, TenantSandboxStats>;
  /** Called after every run; returns an unsubscribe function. */
  onRun(listener: (event: SandboxRunEvent) => void): () => void;
  /** Resolves when every worker process is up. */
  ready(): Promise<void>;
  /** Process ids of the workers (operations and tests). */
  workerPids(): (number | undefined)[];
  close(): Promise<void>;
};

type Pending = {
  id: number;
  tenantId: string;
  worker: number;
  bridge: BridgeRun;
  resolve: (result: SandboxRunResult) => void;
  reject: (error: PlatformError) => void;
  /** When the watchdog acts on this run (see `sweep`). */
  killAt: number;
  dispatched?: boolean;
  killedAsStuck?: boolean;
};

const MAX_SOURCE_BYTES = 512 * 1024;
/** Deeper values would make recursive code on the host side (cloning, templates) overflow its stack. */
const MAX_RESULT_DEPTH = 64;

/**
 * Whether the JSON text nests arrays and objects more than `max` levels deep (the top level is
 * one). A scan of the text, with no allocation: it runs on every result.
 */
export function jsonDeeperThan(json: string, max: number): boolean {
  if (json.length <= 2 * max) return false;
  // Most results open fewer arrays and objects in all than the limit: counting them is enough.
  let openers = 0;
  for (let i = json.indexOf("{"); i >= 0 && openers <= max; i = json.indexOf("{", i + 1)) openers++;
  for (let i = json.indexOf("["); i >= 0 && openers <= max; i = json.indexOf("[", i + 1)) openers++;
  if (openers <= max) return false;
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, stepping over escapes.
      for (i++; i < json.length; i++) {
        const d = json.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Stable worker choice for a tenant: its isolate stays warm on one worker. */
export function workerIndexFor(tenantId: string, workers: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tenantId.length; i++) h = Math.imul(h ^ tenantId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % workers;
}

/**
 * Starts the sandbox worker processes and returns the handle the rest of the platform runs tenant
 * code through. See sandbox/index.ts for what tenant code can and cannot do.
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  assertSafeIsolatedVm();
  const services: HostServices = {
    kv: options.kv ?? createMemoryKeyValueStore(),
    resolveSecret: options.resolveSecret,
    llm: options.llm,
    knowledge: options.knowledge,
    fetchPolicy: options.fetchPolicy,
  };
  const tiers = options.tiers ?? {};
  const tierLimits = new Map<string, SandboxLimits>();
  const grace = options.watchdogGraceMs ?? 1000;
  const crash = { maxCrashes: 3, windowMs: 60_000, cooldownMs: 30_000, ...options.crashLoop };
  const log = options.log ?? (() => undefined);
  const pending = new Map<number, Pending>();
  const inFlightByTenant = new Map<string, number>();
  const crashes = new Map<string, number[]>();
  const throttledUntil = new Map<string, number>();
  const tenantStats = new Map<string, TenantSandboxStats>();
  const listeners = new Set<(event: SandboxRunEvent) => void>();
  let nextId = 1;
  let closed = false;

  const statsFor = (tenantId: string): TenantSandboxStats => {
    let s = tenantStats.get(tenantId);
    if (!s) tenantStats.set(tenantId, (s = { runs: 0, failures: {}, cpuMs: 0, heapBytes: 0 }));
    return s;
  };

  const record = (tenantId: string, ok: boolean, code: string | undefined, stats: RunStats | undefined) => {
    const s = statsFor(tenantId);
    s.runs++;
    if (!ok) s.failures[code ?? "UNKNOWN"] = (s.failures[code ?? "UNKNOWN"] ?? 0) + 1;
    if (stats) {
      s.cpuMs += stats.cpuMs;
      s.heapBytes = stats.heapBytes;
    }
    for (const listener of listeners) {
      try { listener({ tenantId, ok, code, stats }); } catch { /* a listener's bug is not the run's */ }
    }
  };

  const finish = (p: Pending) => {
    pending.delete(p.id);
    const n = (inFlightByTenant.get(p.tenantId) ?? 1) - 1;
    if (n <= 0) inFlightByTenant.delete(p.tenantId);
    else inFlightByTenant.set(p.tenantId, n);
  };

  const fail = (p: Pending, error: PlatformError, stats?: RunStats) => {
    finish(p);
    record(p.tenantId, false, error.code, stats);
    p.reject(error);
  };

  // The watchdog outside the worker: a worker that has not answered well after a run's wall time
  // is stuck (native code, a blocked thread), so it is killed and replaced. One timer sweeps all
  // runs while any is in flight, rather than a timer set and cleared for every run.
  const sweepMs = Math.max(10, Math.min(250, Math.floor(grace / 2)));
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    if (pending.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
      return;
    }
    const now = Date.now();
    for (const p of [...pending.values()]) {
      if (p.killAt > now) continue;
      p.killAt = Infinity;
      const { wallMs } = p.bridge.limits;
      if (!p.dispatched) {
        // Still waiting for its worker to come back: nothing to kill.
        fail(p, new SandboxError(SandboxErrorCode.timeout, `The code did not finish within ${wallMs} ms`, { limitMs: wallMs }));
        continue;
      }
      p.killedAsStuck = true;
      log("warn", "sandbox worker did not answer in time; killing it", { worker: p.worker, tenantId: p.tenantId });
      pool.kill(p.worker);
    }
  };

  const pool = new WorkerPool(options.workers ?? Math.max(1, Math.min(4, availableParallelism())), options.idleMs ?? 5 * 60_000, {
    onReply(worker, reply: RunReplyMessage) {
      const p = pending.get(reply.id);
      if (!p || p.worker !== worker) return;
      if (reply.ok) {
        if (reply.json.length > p.bridge.limits.resultBytes) return fail(p, new SandboxError(SandboxErrorCode.resultTooLarge, `The returned value is larger than ${p.bridge.limits.resultBytes} bytes`), reply.stats);
        if (jsonDeeperThan(reply.json, MAX_RESULT_DEPTH)) return fail(p, new SandboxError(SandboxErrorCode.badResult, `The returned value is nested deeper than ${MAX_RESULT_DEPTH} levels`), reply.stats);
        let value: unknown;
        try {
          value = JSON.parse(reply.json) as unknown;
        } catch {
          return fail(p, new SandboxError(SandboxErrorCode.badResult, "The returned value is not JSON"), reply.stats);
        }
        finish(p);
        record(p.tenantId, true, undefined, reply.stats);
        p.resolve({ value, logs: reply.logs, stats: reply.stats });
      } else {
        const error = restoreSandboxError(reply.error);
        fail(p, withLogs(error, reply.logs), reply.stats);
      }
    },
    onBridgeCall(worker, msg) {
      const p = pending.get(msg.runId);
      if (!p || p.worker !== worker) return; // a run that ended, or a worker asking for another's run
      answerBridgeCall(services, p.bridge, msg.op, msg.argsJson).then(
        (json) => pool.send(worker, { type: "bridge-reply", callId: msg.callId, ok: true, json }),
        (error: unknown) => pool.send(worker, { type: "bridge-reply", callId: msg.callId, ok: false, error: bridgeFailure(error) }),
      );
    },
    onExit(worker, busyTenant, detail) {
      const lost = [...pending.values()].filter((p) => p.worker === worker);
      const suspect = lost.some((p) => p.tenantId === busyTenant) ? busyTenant : undefined;
      if (!closed) log("warn", "sandbox worker ended", { worker, suspect, runsLost: lost.length, detail });
      for (const p of lost) {
        if (p.killedAsStuck) fail(p, new SandboxError(SandboxErrorCode.timeout, `The code did not finish within ${p.bridge.limits.wallMs} ms`, { limitMs: p.bridge.limits.wallMs }));
        else fail(p, new SandboxError(closed ? SandboxErrorCode.closed : SandboxErrorCode.workerCrashed, closed ? "The sandbox is shutting down" : "The sandbox process running this code ended; run again"));
      }
      if (suspect && !closed) {
        const now = Date.now();
        const recent = [...(crashes.get(suspect) ?? []).filter((t) => now - t < crash.windowMs), now];
        crashes.set(suspect, recent);
        if (recent.length >= crash.maxCrashes) {
          throttledUntil.set(suspect, now + crash.cooldownMs);
          log("warn", "sandbox tenant throttled after repeated worker crashes", { tenantId: suspect, crashes: recent.length });
        }
      }
    },
  });

  function prepare(request: SandboxRunRequest): { limits: SandboxLimits; inputJson: string } {
    if (typeof request.tenantId !== "string" || request.tenantId.length === 0 || request.tenantId.length > 128) throw new ValidationError(SandboxErrorCode.badInput, "tenantId must be a non-empty string");
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: most sources need no counting.
    if (typeof request.source !== "string" || (request.source.length * 3 > MAX_SOURCE_BYTES && Buffer.byteLength(request.source) > MAX_SOURCE_BYTES)) throw new ValidationError(SandboxErrorCode.badInput, `source must be a string of at most ${MAX_SOURCE_BYTES} bytes`);
    let limits: SandboxLimits;
    try {
      // Most runs name only a tier: its limits are checked once and kept.
      const key = request.limits === undefined ? (request.tier ?? "") : undefined;
      const known = key === undefined ? undefined : tierLimits.get(key);
      limits = known ?? resolveLimits(tiers, request.tier, request.limits);
      if (key !== undefined && !known && tierLimits.size < 64) tierLimits.set(key, limits);
    } catch {
      throw new ValidationError(SandboxErrorCode.badInput, "The limits are not valid");
    }
    let inputJson: string | undefined;
    try {
      inputJson = JSON.stringify(request.input ?? null);
    } catch {
      throw new SandboxError(SandboxErrorCode.badInput, "The input cannot be copied as JSON");
    }
    if (inputJson === undefined) inputJson = "null";
    if (request.entry !== undefined && !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$-]*){0,3}$/.test(request.entry)) throw new SandboxError(SandboxErrorCode.badInput, "entry must be an export name or a dotted path into one");
    if (inputJson.length > limits.inputBytes) throw new SandboxError(SandboxErrorCode.badInput, `The input is larger than ${limits.inputBytes} bytes`);
    return { limits, inputJson };
  }

  async function run(request: SandboxRunRequest): Promise<SandboxRunResult> {
    if (closed) throw new SandboxError(SandboxErrorCode.closed, "The sandbox is shutting down");
    const { limits, inputJson } = prepare(request);
    const { tenantId } = request;
    const until = throttledUntil.get(tenantId);
    if (until !== undefined) {
      if (until > Date.now()) {
        const error = new SandboxError(SandboxErrorCode.throttled, "This tenant's code crashed the sandbox repeatedly; its runs are paused", { retryAfterSeconds: Math.ceil((until - Date.now()) / 1000) });
        record(tenantId, false, error.code, undefined);
        throw error;
      }
      throttledUntil.delete(tenantId);
      crashes.delete(tenantId);
    }
    const running = inFlightByTenant.get(tenantId) ?? 0;
    if (running >= limits.concurrency) {
      const error = new SandboxError(SandboxErrorCode.busy, `At most ${limits.concurrency} runs of a tenant's code at once`, { limit: limits.concurrency });
      record(tenantId, false, error.code, undefined);
      throw error;
    }
    inFlightByTenant.set(tenantId, running + 1);
    const grants = parseGrants(request.grants);
    const worker = workerIndexFor(tenantId, pool.size);
    const id = nextId++;
    const startedAt = Date.now();
    return new Promise<SandboxRunResult>((resolve, reject) => {
      const p: Pending = {
        id, tenantId, worker, resolve, reject,
        killAt: startedAt + limits.wallMs + limits.cpuMs + grace,
        bridge: { tenantId, grants, secrets: request.secrets, deadline: startedAt + limits.wallMs, limits },
      };
      pending.set(id, p);
      if (!sweeper) sweeper = setInterval(sweep, sweepMs);
      const message: RunMessage = { type: "run", id, tenantId, source: request.source, entry: request.entry ?? "default", inputJson, capabilities: exposedCapabilities(grants), limits };
      const dispatch = () => {
        if (!pending.has(id)) return;
        if (pool.sendRun(worker, message)) p.dispatched = true;
        else void pool.ready(worker).then(() => setTimeout(dispatch, 1));
      };
      dispatch();
    });
  }

  return {
    run,
    stats: () => Object.fromEntries([...tenantStats].map(([k, v]) => [k, { ...v, failures: { ...v.failures } }])),
    onRun(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready: () => pool.allReady(),
    workerPids: () => pool.pids(),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      sweeper = undefined;
      await pool.close();
      for (const p of [...pending.values()]) fail(p, new SandboxError(SandboxErrorCode.closed, "The sandbox is shutting down"));
    },
  };
}

/** Keeps what the code logged before it failed, for the session log. */
function withLogs(error: PlatformError, logs: string[]): PlatformError {
  if (logs.length === 0) return error;
  return new SandboxError(error.code as SandboxErrorCode, error.message, { ...error.data, logs });
}
