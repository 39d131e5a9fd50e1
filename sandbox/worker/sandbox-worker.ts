/**
 * Entry of a sandbox worker process (forked by the supervisor with --no-node-snapshot, as
 * isolated-vm requires on Node >= 20). It holds one isolate per tenant routed to it and nothing
 * else: no HTTP, no broker, no secrets. It talks to the supervisor only over the IPC channel and
 * the frame socket beside it (fd 4, runs and results), and exits when the IPC channel closes.
 */
import { Socket } from "node:net";
import { FrameChannel } from "../frame-channel.ts";
import { SandboxError, SandboxErrorCode } from "../sandbox-errors.ts";
import { decodeRun, encodeResult, type FromWorker, type RunMessage, type RunReplyMessage, type ToWorker } from "../sandbox-protocol.ts";
import { settleHostCall, TenantIsolate, type WorkerHooks } from "./tenant-isolate.ts";

if (typeof process.send !== "function") {
  process.stderr.write("sandbox-worker.ts must be started by the sandbox supervisor (child_process.fork)\n");
  process.exit(64);
}

const send = (message: FromWorker) => { process.send!(message); };
/** Runs come, and successful results go back, as flat strings on fd 4 (see frame-channel.ts). */
const frames = new FrameChannel(new Socket({ fd: 4, readable: true, writable: true }), onRunFrame);
const reply = (message: RunReplyMessage) => { if (message.ok) frames.send(encodeResult(message)); else send(message); };
const isolates = new Map<string, TenantIsolate>();
/** Large sources the supervisor sent once, by id (see SourceRef in sandbox-protocol.ts). */
const sources = new Map<number, string>();
let idleMs = 5 * 60_000;
let announced: string | undefined;

const hooks: WorkerHooks = {
  forward(runId, callId, op, argsJson) { send({ type: "bridge", runId, callId, op, argsJson }); },
  enter(tenantId) {
    if (announced === tenantId) return;
    announced = tenantId;
    send({ type: "busy", tenantId });
  },
};

function isolateFor(msg: RunMessage): TenantIsolate {
  let tenant = isolates.get(msg.tenantId);
  if (tenant && (tenant.disposed || tenant.heapMb !== msg.limits.heapMb)) {
    if (!tenant.disposed && tenant.activeRuns > 0) return tenant; // keep its limit until its runs end
    tenant.dispose();
    tenant = undefined;
  }
  if (!tenant) {
    tenant = new TenantIsolate(msg.tenantId, msg.limits.heapMb, hooks);
    isolates.set(msg.tenantId, tenant);
  }
  return tenant;
}

function run(msg: RunMessage): void {
  let tenant: TenantIsolate;
  try {
    tenant = isolateFor(msg);
  } catch (e) {
    const error = new SandboxError(SandboxErrorCode.isolateReset, `Could not create an isolate: ${(e as Error).message}`);
    reply({ type: "result", id: msg.id, ok: false, error: error.toJSON(), logs: [], stats: { cpuMs: 0, wallMs: 0, heapBytes: 0, cold: true } });
    return;
  }
  tenant.run(msg, reply);
}

function onRunFrame(text: string): void {
  const msg = decodeRun(text, sources);
  if (!msg) return;
  if (msg.source === undefined) {
    // The supervisor named a source this process never got (it cannot, as runs keep their order).
    const error = new SandboxError(SandboxErrorCode.isolateReset, "The sandbox lost this code's source; run again");
    reply({ type: "result", id: msg.id, ok: false, error: error.toJSON(), logs: [], stats: { cpuMs: 0, wallMs: 0, heapBytes: 0, cold: false } });
    return;
  }
  // The source is known here (checked just above).
  run(msg as RunMessage);
}

process.on("message", (raw: unknown) => {
  const msg = raw as ToWorker;
  switch (msg.type) {
    case "run":
      run(msg);
      break;
    case "bridge-reply":
      settleHostCall(msg.callId, msg.ok, msg.ok ? (msg.json ?? "null") : JSON.stringify(msg.error ?? {}));
      break;
    case "forget-sources":
      for (const id of msg.ids) sources.delete(id);
      break;
    case "configure":
      idleMs = msg.idleMs;
      break;
    case "stats": {
      const tenants: Record<string, { heapBytes: number }> = {};
      for (const [id, t] of isolates) if (!t.disposed) tenants[id] = { heapBytes: t.heapBytes() };
      send({ type: "stats", tenants });
      break;
    }
  }
});

// Isolates idle past `idleMs` are released; their tenant's next run starts cold.
setInterval(() => {
  const now = Date.now();
  for (const [id, t] of isolates) {
    if (t.disposed || (t.activeRuns === 0 && now - t.lastUsed > idleMs)) {
      t.dispose();
      isolates.delete(id);
    }
  }
}, 1000).unref();

process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
