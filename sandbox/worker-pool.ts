import { fork, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { FrameChannel } from "./frame-channel.ts";
import { decodeResult, encodeRun, type FromWorker, type RunMessage, type RunReplyMessage, type SourceRef, type ToWorker } from "./sandbox-protocol.ts";

/**
 * The sandbox worker processes, seen from the main process: forks them with the flags isolated-vm
 * needs, restarts one that dies, and routes messages. It knows nothing of runs or tenants beyond
 * the hooks it calls; the supervisor decides what a crash means.
 */
export const WORKER_ENTRY = fileURLToPath(new URL("./worker/sandbox-worker.ts", import.meta.url));

/**
 * --no-node-snapshot: isolated-vm's README requires it on Node >= 20.
 * --expose-gc: lets the worker collect an isolate's dead contexts between runs; the bootstrap
 *   removes `gc` from every context before tenant code runs.
 */
export const WORKER_EXEC_ARGV = ["--no-node-snapshot", "--expose-gc"] as const;

export type WorkerEvents = {
  onReply(worker: number, reply: RunReplyMessage): void;
  onBridgeCall(worker: number, message: Extract<FromWorker, { type: "bridge" }>): void;
  /** The worker process ended; `busyTenant` is the tenant whose code it last ran. */
  onExit(worker: number, busyTenant: string | undefined, detail: string): void;
  onStats?(worker: number, tenants: Record<string, { heapBytes: number }>): void;
};

type WorkerState = {
  child: ChildProcess | undefined;
  /** Runs and successful results (the flat strings of sandbox-protocol.ts); the rest goes over IPC. */
  frames: FrameChannel | undefined;
  ready: Promise<void>;
  markReady: () => void;
  busyTenant: string | undefined;
  stderrTail: string;
  recentExits: number[];
  /** Sources the current worker process holds, by id, most recently used last. */
  sources: Map<string, number>;
  sourceChars: number;
};

/** Sources up to this many characters travel with every run; larger ones once per worker. */
const INLINE_SOURCE_CHARS = 2048;
/** What a worker keeps of the sources sent once: the least recently used go first. */
const KEPT_SOURCES = 256;
const KEPT_SOURCE_CHARS = 32 * 1024 * 1024;

let nextSourceId = 1;

export class WorkerPool {
  private readonly workers: WorkerState[] = [];
  private readonly events: WorkerEvents;
  private readonly idleMs: number;
  private closing = false;

  constructor(count: number, idleMs: number, events: WorkerEvents) {
    this.events = events;
    this.idleMs = idleMs;
    for (let i = 0; i < count; i++) {
      const state = { child: undefined, frames: undefined, busyTenant: undefined, stderrTail: "", recentExits: [], sources: new Map(), sourceChars: 0 } as unknown as WorkerState;
      this.workers.push(state);
      resetReady(state);
      this.spawn(i);
    }
  }

  get size(): number { return this.workers.length; }

  pids(): (number | undefined)[] { return this.workers.map((w) => w.child?.pid); }

  ready(worker: number): Promise<void> { return this.workers[worker]!.ready; }

  /** Every worker is up. */
  async allReady(): Promise<void> { await Promise.all(this.workers.map((w) => w.ready)); }

  /**
   * Sends a run as one flat string (see sandbox-protocol.ts). A large source is sent to each
   * worker process once and named by id afterwards.
   */
  sendRun(worker: number, msg: RunMessage): boolean {
    const state = this.workers[worker]!;
    if (!state.child || !state.child.connected) return false;
    let ref: SourceRef = { text: msg.source };
    if (msg.source.length > INLINE_SOURCE_CHARS) {
      const known = state.sources.get(msg.source);
      if (known !== undefined) {
        state.sources.delete(msg.source);
        state.sources.set(msg.source, known);
        ref = { id: known };
      } else {
        const id = nextSourceId++;
        state.sources.set(msg.source, id);
        state.sourceChars += msg.source.length;
        ref = { id, text: msg.source };
        const forget: number[] = [];
        for (const [source, oldId] of state.sources) {
          if (state.sources.size <= KEPT_SOURCES && state.sourceChars <= KEPT_SOURCE_CHARS) break;
          if (oldId === id) break;
          state.sources.delete(source);
          state.sourceChars -= source.length;
          forget.push(oldId);
        }
        if (forget.length > 0) this.send(worker, { type: "forget-sources", ids: forget });
      }
    }
    return state.frames?.send(encodeRun(msg, ref)) ?? false;
  }

  /** Sends a control message over the IPC channel. */
  send(worker: number, message: ToWorker): boolean {
    const child = this.workers[worker]!.child;
    if (!child || !child.connected) return false;
    try {
      child.send(message);
      return true;
    } catch {
      return false;
    }
  }

  /** Ends a worker that stopped answering; `onExit` follows and a new one is started. */
  kill(worker: number): void {
    this.workers[worker]!.child?.kill("SIGKILL");
  }

  private spawn(index: number): void {
    const state = this.workers[index]!;
    state.busyTenant = undefined;
    state.stderrTail = "";
    state.sources = new Map();
    state.sourceChars = 0;
    // fd 4 in the worker: the frame channel (see sandbox-worker.ts).
    const child = fork(WORKER_ENTRY, [], { execArgv: [...WORKER_EXEC_ARGV], serialization: "advanced", stdio: ["ignore", "inherit", "pipe", "ipc", "pipe"] });
    state.child = child;
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => { state.stderrTail = (state.stderrTail + chunk).slice(-2000); });
    state.frames = new FrameChannel(child.stdio[4] as Socket, (text) => {
      if (state.child !== child) return;
      let reply: RunReplyMessage | undefined;
      try { reply = decodeResult(text); } catch { /* not a result: ignored */ }
      if (reply) this.events.onReply(index, reply);
    });
    child.on("message", (raw: unknown) => {
      const msg = raw as FromWorker;
      switch (msg.type) {
        case "ready":
          this.send(index, { type: "configure", idleMs: this.idleMs });
          state.markReady();
          break;
        case "busy":
          state.busyTenant = msg.tenantId;
          break;
        case "result":
          this.events.onReply(index, msg);
          break;
        case "bridge":
          this.events.onBridgeCall(index, msg);
          break;
        case "stats":
          this.events.onStats?.(index, msg.tenants);
          break;
      }
    });
    child.on("error", () => { /* 'exit' follows */ });
    child.once("exit", (code, signal) => {
      if (state.child !== child) return;
      state.child = undefined;
      state.frames = undefined;
      resetReady(state);
      const detail = `worker exited (${signal ?? `code ${code}`})${state.stderrTail ? `: ${state.stderrTail.trim().split("\n").slice(-3).join(" | ")}` : ""}`;
      this.events.onExit(index, state.busyTenant, detail);
      if (this.closing) return;
      // A worker that keeps dying is restarted with a growing pause, so a crash loop cannot
      // turn into a fork loop; the supervisor throttles the tenant behind it meanwhile.
      const now = Date.now();
      state.recentExits = [...state.recentExits.filter((t) => now - t < 10_000), now];
      const delay = state.recentExits.length <= 2 ? 0 : Math.min(2000, 50 * 2 ** state.recentExits.length);
      setTimeout(() => { if (!this.closing) this.spawn(index); }, delay).unref();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map(async (w) => {
      const child = w.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
    }));
  }
}

function resetReady(state: WorkerState): void {
  state.ready = new Promise<void>((resolve) => { state.markReady = resolve; });
}

export type { RunMessage };
