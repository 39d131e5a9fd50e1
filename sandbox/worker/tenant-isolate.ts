import ivm from "isolated-vm";
import { SandboxError, SandboxErrorCode } from "../sandbox-errors.ts";
import type { RunMessage, RunReplyMessage } from "../sandbox-protocol.ts";
import { CodeCache } from "./code-cache.ts";
import { ContextSlots, releaseLinked, releaseSlot, type ContextSlot, type LinkedModule, type PrimedRun } from "./context-slots.ts";
import { inputShape } from "./input-shape.ts";
import { answerLocalCall, isRemoteOp, requiredCapability } from "./local-calls.ts";

/**
 * One tenant's isolate inside a worker process, and the runs in it.
 *
 * Every run gets a fresh context (see context-slots.ts); contexts are never reused. After a run
 * has answered, the next context is made and primed for a run like it (module evaluated, function
 * found, ctx built), so a warm run only parses its input, calls the function and encodes the result.
 *
 * Tenant code only ever executes inside a synchronous call made here (module evaluation, `start`,
 * `settle` after a host call returns), each with a `timeout` equal to what is left of the run's
 * CPU and wall budgets. Between those calls the isolate is idle: there are no timers inside, and
 * a host call that comes back after its run ended is dropped, so nothing runs after a deadline.
 * CPU time is measured around each call with the isolate's own counter. When a call times out
 * the isolate is disposed (a terminated run may leave microtasks behind), and the tenant's next
 * run gets a new one; the same happens when the heap limit is reached.
 */

type Slot = ContextSlot<ActiveRun>;

type Outcome = { ok: true; json: string } | { ok: false; error: SandboxError };

type ActiveRun = {
  msg: RunMessage;
  slot: Slot;
  startedAt: number;
  deadline: number;
  cpuNs: bigint;
  logs: string[];
  logBytes: number;
  hostCalls: number;
  outcome?: Outcome;
  done: boolean;
  cold: boolean;
  wallTimer?: NodeJS.Timeout;
  resolve: (reply: RunReplyMessage) => void;
};

export type WorkerHooks = {
  /** Forward a host call to the supervisor; the answer comes back through `settleHostCall`. */
  forward(runId: number, callId: number, op: string, argsJson: string): void;
  /** Called before tenant code of this tenant executes (crash attribution). */
  enter(tenantId: string): void;
};

let nextCallId = 1;
const callOwners = new Map<number, { tenant: TenantIsolate; run: ActiveRun }>();

/** Routes a supervisor's answer to the run that made the call, if it is still running. */
export function settleHostCall(callId: number, ok: boolean, json: string): void {
  const owner = callOwners.get(callId);
  if (!owner) return;
  callOwners.delete(callId);
  owner.tenant.settle(owner.run, callId, ok, json);
}

export class TenantIsolate {
  readonly tenantId: string;
  readonly heapMb: number;
  readonly isolate: ivm.Isolate;
  lastUsed = Date.now();
  private readonly slots: ContextSlots<ActiveRun>;
  private readonly modules: CodeCache;
  private runsSinceHeapCheck = 0;
  private lastHeapBytes = 0;
  private readonly runs = new Set<ActiveRun>();
  private readonly hooks: WorkerHooks;
  private fresh = true;
  /** The last run that succeeded: the spare context is primed for a run like it. */
  private lastGood: RunMessage | undefined;
  private lastCapabilities: readonly string[] = [];
  private maintenanceQueued = false;

  constructor(tenantId: string, heapMb: number, hooks: WorkerHooks) {
    this.tenantId = tenantId;
    this.heapMb = heapMb;
    this.hooks = hooks;
    this.isolate = new ivm.Isolate({
      memoryLimit: heapMb,
      // isolated-vm asks the process to end after a catastrophic V8 error; the supervisor restarts it.
      onCatastrophicError: (message) => { process.stderr.write(`sandbox worker: catastrophic isolate error: ${message}\n`); process.exit(70); },
    });
    this.modules = new CodeCache(this.isolate);
    this.slots = new ContextSlots<ActiveRun>(this.isolate, {
      onSyncCall: (slot, op, argsJson) => this.onSyncCall(slot, op, argsJson),
      onAsyncCall: (slot, op, argsJson) => this.onAsyncCall(slot, op, argsJson),
      onFinish: (slot, ok, json) => this.onFinish(slot, ok, json),
    });
  }

  get disposed(): boolean { return this.isolate.isDisposed; }
  get activeRuns(): number { return this.runs.size; }

  heapBytes(): number {
    if (this.disposed) return 0;
    const h = this.isolate.getHeapStatisticsSync();
    return h.used_heap_size + h.externally_allocated_size;
  }

  /** Resolves when the spare context is ready (benchmarks, tests). */
  spareReady(): Promise<void> {
    return this.slots.spareReady();
  }

  /**
   * Runs `msg` in a fresh context. `reply` is called once, synchronously when the code finishes
   * without awaiting anything (the usual case: no promise, no timer on the way).
   */
  run(msg: RunMessage, reply: (reply: RunReplyMessage) => void): void {
    this.lastUsed = Date.now();
    const cold = this.fresh;
    this.fresh = false;
    // A spare primed for other code (or grants) has had that code run in it: not fresh for this run.
    const accepts = (slot: Slot) => !slot.primed || primedFor(slot.primed, msg);
    const ready = this.slots.takeReady();
    if (ready && accepts(ready)) return this.startRun(msg, ready, cold, reply);
    if (ready) releaseSlot(ready);
    this.slots.take(msg.capabilities.join(","), accepts).then((slot) => this.startRun(msg, slot, cold, reply), (e: unknown) => {
      const error = this.disposed ? new SandboxError(SandboxErrorCode.memoryLimit, "The tenant's heap limit was reached") : new SandboxError(SandboxErrorCode.isolateReset, `Could not create a context: ${cleanMessage(e)}`);
      reply({ type: "result", id: msg.id, ok: false, error: error.toJSON(), logs: [], stats: { cpuMs: 0, wallMs: 0, heapBytes: 0, cold } });
    });
  }

  private startRun(msg: RunMessage, slot: Slot, cold: boolean, resolve: (reply: RunReplyMessage) => void): void {
    const now = Date.now();
    const run: ActiveRun = { msg, slot, startedAt: now, deadline: now + msg.limits.wallMs, cpuNs: 0n, logs: [], logBytes: 0, hostCalls: 0, done: false, cold, resolve };
    slot.run = run;
    this.runs.add(run);
    this.lastCapabilities = msg.capabilities;
    this.begin(run);
    // Tenant code runs only inside calls bounded by `timeout`; a wall timer is needed only for a
    // run still awaiting host calls when those return.
    if (!run.done) {
      run.wallTimer = setTimeout(() => this.complete(run, { ok: false, error: new SandboxError(SandboxErrorCode.timeout, `The code did not finish within ${msg.limits.wallMs} ms`, { limitMs: msg.limits.wallMs }) }), Math.max(0, run.deadline - Date.now()));
    }
  }

  /** Compiles `source` and links it into `context`; throws a SandboxError the tenant can read. */
  private link(source: string, context: ivm.Context): LinkedModule {
    let module: ivm.Module;
    try {
      module = this.modules.compile(source);
    } catch (e) {
      if (this.disposed) throw e;
      throw new SandboxError(SandboxErrorCode.syntax, `The code does not compile: ${cleanMessage(e)}`);
    }
    try {
      if (module.dependencySpecifiers.length > 0) {
        throw new SandboxError(SandboxErrorCode.capabilityDenied, `Tenant code cannot import modules (found "${module.dependencySpecifiers[0]}")`);
      }
      module.instantiateSync(context, () => { throw new Error("Tenant code cannot import modules"); });
      return { source, module };
    } catch (e) {
      module.release();
      throw e;
    }
  }

  private begin(run: ActiveRun): void {
    const { msg, slot } = run;
    const primed = slot.primed;
    slot.primed = undefined;
    if (primed) {
      run.cpuNs += primed.cpuNs;
      for (const line of primed.logs) this.log(run, line);
      return this.call(run);
    }
    let linked = slot.linked;
    slot.linked = undefined;
    if (linked && linked.source !== msg.source) {
      releaseLinked(linked);
      linked = undefined;
    }
    if (!linked) {
      try {
        linked = this.link(msg.source, slot.context);
      } catch (e) {
        if (this.disposed) return this.afterIsolateLoss(run, e);
        return this.complete(run, { ok: false, error: e instanceof SandboxError ? e : new SandboxError(SandboxErrorCode.threw, cleanMessage(e)) });
      }
    }
    // Every Reference taken here is released, or it would pin the context in the heap.
    const { module } = linked;
    try {
      const evaluated = this.segment(run, (timeout) => module.evaluateSync({ timeout }));
      if (!evaluated || run.done) return;
      const prepared = this.segment(run, (timeout) => {
        const failure = prepareCall(slot, module, msg, timeout);
        if (failure !== "") run.outcome = failureOutcome(failure);
      });
      if (!prepared || run.done) return;
      if (run.outcome) return this.complete(run, run.outcome);
      this.call(run);
    } finally {
      releaseLinked(linked);
    }
  }

  /** Calls the function prepared in the run's context with the run's input. */
  private call(run: ActiveRun): void {
    const { msg, slot } = run;
    this.segment(run, (timeout) => {
      const json: unknown = slot.drive.applySync(undefined, [3, msg.inputJson, msg.limits.resultBytes], { timeout });
      // A synchronous result comes back as the call's value (see isolate-bootstrap.ts); it
      // counts only if the call, microtasks included, returned normally.
      if (typeof json === "string" && !run.outcome) run.outcome = { ok: true, json };
    });
  }

  /**
   * Readies a spare context for a run like `last`, before that run arrives: links and evaluates
   * the module and prepares its function, under `last`'s CPU limit. False when that failed (the
   * next run then does it all itself, under its own limits, and reports why).
   */
  private prime(slot: Slot, last: RunMessage): boolean {
    let linked: LinkedModule;
    try { linked = this.link(last.source, slot.context); } catch { return false; }
    slot.linked = linked;
    const logs: string[] = [];
    slot.primingLogs = logs;
    const before = this.isolate.cpuTime;
    this.hooks.enter(this.tenantId);
    try {
      linked.module.evaluateSync({ timeout: last.limits.cpuMs });
      const cpuLeftMs = last.limits.cpuMs - Number((this.isolate.cpuTime - before) / 1_000_000n);
      if (cpuLeftMs < 1 || prepareCall(slot, linked.module, last, cpuLeftMs, inputShape(last.inputJson)) !== "") return false;
      slot.primed = { source: last.source, entry: last.entry, capabilitiesCsv: last.capabilities.join(","), cpuNs: this.isolate.cpuTime - before, logs };
      return true;
    } catch (e) {
      // A timeout may leave microtasks behind, as in a run (see segment): start over.
      if (!this.disposed && /timed out/i.test(cleanMessage(e))) this.dispose();
      return false;
    } finally {
      slot.primingLogs = undefined;
    }
  }

  private log(run: ActiveRun, text: string): void {
    const line = text.slice(0, 2000);
    if (run.logs.length < run.msg.limits.logLines && run.logBytes + line.length <= run.msg.limits.logBytes) {
      run.logs.push(line);
      run.logBytes += line.length;
    }
  }

  /**
   * Runs tenant code synchronously under what is left of the run's budgets. Returns false when
   * the run ended because of it.
   */
  private segment(run: ActiveRun, call: (timeoutMs: number) => unknown): boolean {
    if (this.disposed) { this.afterIsolateLoss(run, undefined); return false; }
    const cpuLeftMs = run.msg.limits.cpuMs - Number(run.cpuNs / 1_000_000n);
    const wallLeftMs = run.deadline - Date.now();
    const timeout = Math.max(1, Math.min(cpuLeftMs, wallLeftMs));
    this.hooks.enter(this.tenantId);
    const before = this.isolate.cpuTime;
    try {
      call(timeout);
    } catch (e) {
      if (this.disposed) { this.afterIsolateLoss(run, e); return false; }
      run.cpuNs += this.isolate.cpuTime - before;
      if (/timed out/i.test(cleanMessage(e))) {
        const byWall = wallLeftMs <= cpuLeftMs;
        const error = byWall
          ? new SandboxError(SandboxErrorCode.timeout, `The code did not finish within ${run.msg.limits.wallMs} ms`, { limitMs: run.msg.limits.wallMs })
          : new SandboxError(SandboxErrorCode.cpuLimit, `The code used more than ${run.msg.limits.cpuMs} ms of CPU time`, { limitMs: run.msg.limits.cpuMs });
        this.complete(run, { ok: false, error });
        this.dispose(run);
        return false;
      }
      // isolated-vm throws here for an unhandled rejection too (after a synchronous result, that
      // result is lost and the run fails, as a Node process would end); a result given through
      // finish before it wins.
      this.complete(run, run.outcome ?? { ok: false, error: new SandboxError(SandboxErrorCode.threw, cleanMessage(e)) });
      return false;
    }
    if (!this.disposed) run.cpuNs += this.isolate.cpuTime - before;
    // Microtasks of this tenant's other runs may have finished them during this call too.
    for (const other of this.runs) if (other.outcome && !other.done) this.complete(other, other.outcome);
    if (!run.done && run.cpuNs > BigInt(run.msg.limits.cpuMs) * 1_000_000n) {
      this.complete(run, { ok: false, error: new SandboxError(SandboxErrorCode.cpuLimit, `The code used more than ${run.msg.limits.cpuMs} ms of CPU time`, { limitMs: run.msg.limits.cpuMs }) });
      return false;
    }
    return !run.done;
  }

  /** The isolate is gone (heap limit, or disposed by us): this run and its siblings fail. */
  private afterIsolateLoss(run: ActiveRun, e: unknown): void {
    const memory = /memory limit/i.test(cleanMessage(e));
    const error = memory
      ? new SandboxError(SandboxErrorCode.memoryLimit, `The code used more than ${this.heapMb} MB of memory`, { limitMb: this.heapMb })
      : new SandboxError(SandboxErrorCode.isolateReset, "The tenant's isolate was reset; run again");
    this.complete(run, { ok: false, error });
    this.dispose(run);
  }

  settle(run: ActiveRun, callId: number, ok: boolean, json: string): void {
    if (run.done) return;
    this.segment(run, (timeout) => run.slot.drive.applySync(undefined, [1, callId, ok, json], { timeout }));
  }

  private onFinish(slot: Slot, ok: boolean, json: string): void {
    const run = slot.run;
    if (!run || run.done || run.outcome) return;
    if (typeof json !== "string") return;
    run.outcome = ok ? { ok: true, json } : failureOutcome(json);
  }

  private onSyncCall(slot: Slot, op: unknown, argsJson: unknown): string {
    // A module's top level logging while its slot is primed: kept for the run that takes the slot.
    if (slot.primingLogs && op === "log" && typeof argsJson === "string") {
      if (slot.primingLogs.length < 100) slot.primingLogs.push(argsJson.slice(0, 2000));
      return "";
    }
    const run = slot.run;
    if (!run || run.done || typeof op !== "string" || typeof argsJson !== "string") return errorReply(SandboxErrorCode.capabilityDenied, "This run has ended");
    // The line itself, not JSON (see isolate-bootstrap.ts).
    if (op === "log") { this.log(run, argsJson); return ""; }
    const needed = requiredCapability(op);
    if (!needed || !run.msg.capabilities.includes(needed)) return errorReply(SandboxErrorCode.capabilityDenied, `This code was not granted ${needed ?? op}`);
    return answerLocalCall(op, argsJson);
  }

  private onAsyncCall(slot: Slot, op: unknown, argsJson: unknown): string {
    const run = slot.run;
    if (!run || run.done || typeof op !== "string" || typeof argsJson !== "string") return errorReply(SandboxErrorCode.capabilityDenied, "This run has ended");
    const needed = requiredCapability(op);
    if (!needed || !isRemoteOp(op) || !run.msg.capabilities.includes(needed)) return errorReply(SandboxErrorCode.capabilityDenied, `This code was not granted ${needed ?? op}`);
    if (run.hostCalls >= run.msg.limits.hostCalls) return errorReply(SandboxErrorCode.capabilityDenied, `A run may make at most ${run.msg.limits.hostCalls} host calls`);
    if (argsJson.length > run.msg.limits.inputBytes) return errorReply(SandboxErrorCode.badInput, "The arguments of this call are too large");
    run.hostCalls++;
    const callId = nextCallId++;
    callOwners.set(callId, { tenant: this, run });
    this.hooks.forward(run.msg.id, callId, op, argsJson);
    return JSON.stringify({ id: callId });
  }

  private complete(run: ActiveRun, outcome: Outcome): void {
    if (run.done) return;
    run.done = true;
    clearTimeout(run.wallTimer);
    this.runs.delete(run);
    if (run.hostCalls > 0) for (const [callId, owner] of callOwners) if (owner.run === run) callOwners.delete(callId);
    const stats = { cpuMs: Number(run.cpuNs) / 1e6, wallMs: Date.now() - run.startedAt, heapBytes: 0, cold: run.cold };
    if (outcome.ok) this.lastGood = run.msg;
    else if (this.lastGood?.source === run.msg.source) this.lastGood = undefined;
    // Release after the current synchronous call returns: we may be inside the isolate right now.
    const slot = run.slot;
    slot.run = undefined;
    queueMicrotask(() => releaseSlot(slot));
    this.lastUsed = Date.now();
    // Heap figures cost a few microseconds: read at once on cold runs, otherwise after the
    // answer has gone (see maintain) and reported with the next run.
    if (run.cold && !this.disposed) {
      try { this.lastHeapBytes = this.heapBytes(); } catch { /* disposed meanwhile */ }
    }
    stats.heapBytes = this.disposed ? 0 : this.lastHeapBytes;
    const base = { type: "result" as const, id: run.msg.id, logs: run.logs, stats };
    run.resolve(outcome.ok ? { ...base, ok: true, json: outcome.json } : { ...base, ok: false, error: outcome.error.toJSON() });
    if (!this.maintenanceQueued) {
      this.maintenanceQueued = true;
      setImmediate(() => this.maintain());
    }
  }

  /**
   * After a run has answered: heap figures, a collection when dead contexts pile up, and the next
   * spare context, linked with the module the tenant ran last.
   */
  private maintain(): void {
    this.maintenanceQueued = false;
    if (this.disposed) return;
    // Read before the spare is started: a synchronous call would wait for the thread pool.
    if (++this.runsSinceHeapCheck >= 8) {
      this.runsSinceHeapCheck = 0;
      try { this.lastHeapBytes = this.heapBytes(); } catch { return; }
    }
    const last = this.lastGood;
    this.slots.prepareSpare(this.lastCapabilities.join(","), last === undefined ? undefined : (slot) => this.prime(slot, last));
    // Dead contexts are only collected late, near the heap limit; collect them before they
    // could be mistaken for the tenant's own use of memory.
    if (this.lastHeapBytes > this.heapMb * 1024 * 1024 * 0.4 && this.runs.size === 0) {
      this.lastHeapBytes = 0;
      this.slots.collectGarbage();
    }
  }

  /** Disposes the isolate; runs still in it fail with SANDBOX_ISOLATE_RESET. */
  dispose(cause?: ActiveRun): void {
    for (const run of [...this.runs]) {
      if (run !== cause) this.complete(run, { ok: false, error: new SandboxError(SandboxErrorCode.isolateReset, "Another run of this tenant broke a limit and its isolate was reset; run again") });
    }
    this.slots.drop();
    this.modules.clear();
    if (!this.isolate.isDisposed) {
      try { this.isolate.dispose(); } catch { /* already gone */ }
    }
  }
}

/** Whether a slot primed as `primed` is ready for `msg`. */
function primedFor(primed: PrimedRun, msg: RunMessage): boolean {
  return primed.source === msg.source && primed.entry === msg.entry && primed.capabilitiesCsv === msg.capabilities.join(",");
}

/**
 * Runs the bootstrap's `prepare` for `msg` in `slot`: "" when ready, else the failure's JSON.
 * `shapeJson` (see input-shape.ts) is given only when priming a spare for a run like `msg`.
 */
function prepareCall(slot: Slot, module: ivm.Module, msg: RunMessage, timeout: number, shapeJson = ""): string {
  const dot = msg.entry.indexOf(".");
  const exportName = dot < 0 ? msg.entry : msg.entry.slice(0, dot);
  const path = dot < 0 ? "" : msg.entry.slice(dot + 1);
  // The namespace object itself goes in; the export is read inside the isolate.
  const namespace = module.namespace;
  try {
    const failure: unknown = slot.drive.applySync(undefined, [0, namespace.derefInto(), exportName, path, msg.capabilities.join(","), shapeJson], { timeout });
    return typeof failure === "string" ? failure : JSON.stringify({ code: SandboxErrorCode.threw, message: "The code could not be prepared" });
  } finally {
    namespace.release();
  }
}

/** A failure reported from inside the isolate, as JSON, as an outcome with a known code. */
function failureOutcome(json: string): Outcome {
  let plain: { code?: unknown; message?: unknown; data?: unknown } = {};
  try { plain = JSON.parse(json) as typeof plain; } catch { /* keep the generic message */ }
  const code = (Object.values(SandboxErrorCode) as unknown[]).includes(plain.code) ? (plain.code as SandboxErrorCode) : SandboxErrorCode.threw;
  const data = typeof plain.data === "object" && plain.data !== null ? (plain.data as Record<string, unknown>) : undefined;
  return { ok: false, error: new SandboxError(code, typeof plain.message === "string" ? plain.message : "The code failed", data) };
}

function errorReply(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** isolated-vm's error text without host frames. */
function cleanMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : "unknown error";
  return message.split("\n")[0]!.replace(/\s*\[tenant:\/\/\/code\.mjs[^\]]*\]/, "").slice(0, 1000);
}
