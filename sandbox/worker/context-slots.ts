import ivm from "isolated-vm";
import { ISOLATE_BOOTSTRAP } from "./isolate-bootstrap.ts";

/**
 * Fresh contexts for one tenant isolate. Every run takes a new context with the bootstrap already
 * run in it; none is ever used twice. V8 needs about 0.25 ms to create one and the bootstrap
 * another 0.05 ms, so one spare is prepared ahead, after a run has answered: the context on
 * isolated-vm's thread pool, then (see TenantIsolate.prime) the tenant's module (the source of its
 * last run) compiled, linked, evaluated and its function looked up, under the tenant's limits.
 * That runs the module's top level, but with no run's input and nothing from any other run: the
 * run that takes the slot is still the only one ever to use the context, and it is charged the
 * CPU time the priming took.
 */
export type ContextSlot<R> = {
  context: ivm.Context;
  /**
   * `drive` in the bootstrap: `(0, namespace, exportName, path, capabilitiesCsv)` prepares the
   * run's function, `(3, inputJson, maxChars)` calls it, `(1, callId, ok, json)` answers a pending
   * host call, `(2)` collects garbage.
   */
  drive: ivm.Reference;
  /** A tenant module compiled and instantiated in this context. */
  linked?: LinkedModule;
  /** Set when the module was evaluated and its function prepared ahead of the run. */
  primed?: PrimedRun;
  /** Lines logged by the module's top level while it is being primed. */
  primingLogs?: string[];
  /** The run using this context, once taken. */
  run?: R;
};

export type LinkedModule = { source: string; module: ivm.Module };

/** What a primed slot is ready for: a run must match all three to use it. */
export type PrimedRun = { source: string; entry: string; capabilitiesCsv: string; cpuNs: bigint; logs: string[] };

/** The host side of the bootstrap's three callbacks, bound to the slot they were made for. */
export type SlotHandlers<R> = {
  onSyncCall(slot: ContextSlot<R>, op: unknown, argsJson: unknown): string;
  onAsyncCall(slot: ContextSlot<R>, op: unknown, argsJson: unknown): string;
  onFinish(slot: ContextSlot<R>, ok: boolean, json: string): void;
};

export class ContextSlots<R> {
  private readonly isolate: ivm.Isolate;
  private readonly handlers: SlotHandlers<R>;
  private spare: ContextSlot<R> | undefined;
  private pending: Promise<void> | undefined;
  private collecting = false;

  constructor(isolate: ivm.Isolate, handlers: SlotHandlers<R>) {
    this.isolate = isolate;
    this.handlers = handlers;
  }

  /** The spare, if one is ready (the hot path: no promise, no wait). */
  takeReady(): ContextSlot<R> | undefined {
    const slot = this.spare;
    this.spare = undefined;
    return slot;
  }

  /**
   * The spare if there is one and `accepts` it (waiting for it if it is being made), else a new
   * one made now.
   */
  async take(capabilitiesCsv: string, accepts: (slot: ContextSlot<R>) => boolean): Promise<ContextSlot<R>> {
    if (!this.spare && this.pending) await this.pending;
    const spare = this.spare;
    this.spare = undefined;
    if (spare && accepts(spare)) return spare;
    if (spare) releaseSlot(spare);
    return this.makeNow(capabilitiesCsv);
  }

  /**
   * Starts making the spare for a run like the last one: `capabilitiesCsv` warms the bootstrap up
   * (see isolate-bootstrap.ts), and `prime` (optional) readies the run the next one will most
   * likely be, on the main thread once the context is ready; when it returns false the slot is
   * dropped and the next run makes its own context.
   */
  prepareSpare(capabilitiesCsv: string, prime?: (slot: ContextSlot<R>) => boolean): void {
    if (this.spare || this.pending || this.isolate.isDisposed) return;
    const made = (async () => {
      const { slot, callbacks } = this.shell(await this.isolate.createContext(), capabilitiesCsv);
      slot.drive = (await slot.context.evalClosure(ISOLATE_BOOTSTRAP, callbacks, { result: { reference: true } })) as ivm.Reference;
      if (prime && !this.isolate.isDisposed && !prime(slot)) {
        releaseSlot(slot);
        return undefined;
      }
      return slot;
    })();
    this.pending = made.then(
      (slot) => { if (!slot) return; if (this.isolate.isDisposed) releaseSlot(slot); else this.spare = slot; },
      () => { /* the isolate went away; the next run makes a new one */ },
    ).finally(() => { this.pending = undefined; });
  }

  spareReady(): Promise<void> {
    return this.pending ?? Promise.resolve();
  }

  /** A full collection on the thread pool, through the spare's captured `gc`. */
  collectGarbage(): void {
    if (this.collecting) return;
    this.collecting = true;
    void this.spareReady()
      .then(() => this.spare?.drive.apply(undefined, [2], { timeout: 200 }))
      .catch(() => undefined)
      .finally(() => { this.collecting = false; });
  }

  /** Forgets the spare (the isolate is being disposed, which frees it). */
  drop(): void {
    this.spare = undefined;
  }

  private makeNow(capabilitiesCsv: string): ContextSlot<R> {
    const { slot, callbacks } = this.shell(this.isolate.createContextSync(), capabilitiesCsv);
    slot.drive = slot.context.evalClosureSync(ISOLATE_BOOTSTRAP, callbacks, { result: { reference: true } }) as ivm.Reference;
    return slot;
  }

  private shell(context: ivm.Context, capabilitiesCsv: string): { slot: ContextSlot<R>; callbacks: (ivm.Callback | string)[] } {
    const slot = { context } as ContextSlot<R>;
    const callbacks = [
      new ivm.Callback((op: unknown, argsJson: unknown) => this.handlers.onSyncCall(slot, op, argsJson)),
      new ivm.Callback((op: unknown, argsJson: unknown) => this.handlers.onAsyncCall(slot, op, argsJson)),
      new ivm.Callback((ok: boolean, json: string) => this.handlers.onFinish(slot, ok, json)),
      capabilitiesCsv,
    ];
    return { slot, callbacks };
  }
}

/** Releases a linked module. */
export function releaseLinked(linked: LinkedModule | undefined): void {
  if (!linked) return;
  try { linked.module.release(); } catch { /* isolate disposed */ }
}

/** Releases a used context and its references; a Reference left alive would pin the context. */
export function releaseSlot<R>(slot: ContextSlot<R>): void {
  releaseLinked(slot.linked);
  slot.linked = undefined;
  slot.primed = undefined;
  try { slot.drive?.release(); } catch { /* isolate disposed */ }
  try { slot.context.release(); } catch { /* isolate disposed */ }
}
