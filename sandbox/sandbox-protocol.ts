import type { SandboxLimits } from "./sandbox-limits.ts";

/**
 * Messages between the supervisor (main process) and a sandbox worker process. Values cross as
 * JSON text, errors as their JSON form.
 *
 * The two messages on every call, a run and its successful result, travel as one flat string
 * each (see `encodeRun`, `encodeResult`) on a socket of their own (frame-channel.ts): a string
 * costs a copy, while the same fields as an object of objects cost several times that on each
 * side. Everything else is a plain object on the fork IPC channel (V8 serialization).
 */

/** Supervisor → worker: run the `entry` export of `source` for `tenantId`. */
export type RunMessage = {
  type: "run";
  id: number;
  tenantId: string;
  source: string;
  entry: string;
  inputJson: string;
  /** Names of the `ctx` members to build (see grants.ts). The supervisor re-checks every call. */
  capabilities: string[];
  limits: SandboxLimits;
};

/** Supervisor → worker: answer to a host call the worker forwarded. */
export type BridgeReplyMessage = { type: "bridge-reply"; callId: number; ok: boolean; json?: string; error?: Record<string, unknown> };

/** Supervisor → worker: sources the worker may drop (see `SourceRef`). */
export type ForgetSourcesMessage = { type: "forget-sources"; ids: number[] };

export type ToWorker = RunMessage | BridgeReplyMessage | ForgetSourcesMessage | { type: "configure"; idleMs: number } | { type: "stats" };

/**
 * How a run names its source on the wire. Large sources (plugin bundles) are sent once per worker
 * process and then named by id: `{ id, text }` the first time (the worker keeps it), `{ id }`
 * after. `{ text }` alone is a source sent every time (small ones).
 */
export type SourceRef = { id?: number; text?: string };

export type RunStats = { cpuMs: number; wallMs: number; heapBytes: number; cold: boolean };

/** Worker → supervisor. */
export type RunReplyMessage =
  | { type: "result"; id: number; ok: true; json: string; logs: string[]; stats: RunStats }
  | { type: "result"; id: number; ok: false; error: Record<string, unknown>; logs: string[]; stats: RunStats };

/** Worker → supervisor: tenant code asked for something only the main process may do. */
export type BridgeCallMessage = { type: "bridge"; runId: number; callId: number; op: string; argsJson: string };

export type FromWorker =
  | RunReplyMessage
  | BridgeCallMessage
  | { type: "ready" }
  /** Sent before the worker runs a different tenant's code than last time: crash attribution. */
  | { type: "busy"; tenantId: string }
  | { type: "stats"; tenants: Record<string, { heapBytes: number }> };

/** The order in which limits travel in a run's header. */
const LIMIT_KEYS = ["heapMb", "cpuMs", "wallMs", "resultBytes", "inputBytes", "concurrency", "hostCalls", "fetchBytes", "logLines", "logBytes"] as const satisfies readonly (keyof SandboxLimits)[];

/** What goes in front of a flat message's header: which message it is. */
const RUN_TAG = "R";
const RESULT_TAG = "S";

/**
 * A run as one string: `R` + the run's id + a space + a JSON header + a newline + the source
 * (unless named by id) + the input JSON. The header carries the source's length, so neither text
 * needs escaping, and it is the same for every run of the same code, grants and limits: the worker
 * parses each header once (see `decodeRun`).
 */
export function encodeRun(msg: RunMessage, ref: SourceRef = { text: msg.source }): string {
  const limits: number[] = [];
  for (const key of LIMIT_KEYS) limits.push(msg.limits[key]);
  const text = ref.text ?? "";
  const header = JSON.stringify([msg.tenantId, msg.entry, msg.capabilities, limits, text.length, ref.id ?? 0]);
  return RUN_TAG + msg.id + " " + header + "\n" + text + msg.inputJson;
}

type RunHeader = { tenantId: string; entry: string; capabilities: string[]; limits: SandboxLimits; sourceLength: number; sourceId: number };

/** Headers already parsed, by their text: a tenant's runs repeat theirs (see `decodeRun`). */
const knownHeaders = new Map<string, RunHeader>();
const KNOWN_HEADERS_MAX = 256;

function parseRunHeader(text: string): RunHeader {
  let header = knownHeaders.get(text);
  if (header) return header;
  const [tenantId, entry, capabilities, values, sourceLength, sourceId] = JSON.parse(text) as [string, string, string[], number[], number, number];
  const limits = {} as Record<(typeof LIMIT_KEYS)[number], number>;
  for (let i = 0; i < LIMIT_KEYS.length; i++) limits[LIMIT_KEYS[i]!] = values[i]!;
  // Runs share these objects, so they are frozen.
  header = Object.freeze({ tenantId, entry, capabilities: Object.freeze(capabilities) as string[], limits: Object.freeze(limits), sourceLength, sourceId });
  if (knownHeaders.size >= KNOWN_HEADERS_MAX) knownHeaders.clear();
  knownHeaders.set(text, header);
  return header;
}

/**
 * The run in `text`, or undefined if `text` is not one. `sources` holds the sources the
 * supervisor sent by id; a run naming one it does not hold comes back with `source` undefined.
 * Runs with the same header share its `capabilities` and `limits` objects (frozen).
 */
export function decodeRun(text: string, sources?: Map<number, string>): (Omit<RunMessage, "source"> & { source: string | undefined }) | undefined {
  if (text[0] !== RUN_TAG) return undefined;
  const space = text.indexOf(" ");
  const newline = text.indexOf("\n", space);
  const { tenantId, entry, capabilities, limits, sourceLength, sourceId } = parseRunHeader(text.slice(space + 1, newline));
  const sourceEnd = newline + 1 + sourceLength;
  let source: string | undefined = text.slice(newline + 1, sourceEnd);
  if (sourceId > 0) {
    if (sourceLength > 0) sources?.set(sourceId, source);
    else source = sources?.get(sourceId);
  }
  return { type: "run", id: Number(text.slice(1, space)), tenantId, entry, capabilities, limits, source, inputJson: text.slice(sourceEnd) };
}

/** A successful result as one string: `S` + a JSON header + a newline + the value's JSON. */
export function encodeResult(reply: Extract<RunReplyMessage, { ok: true }>): string {
  const { stats } = reply;
  return RESULT_TAG + JSON.stringify([reply.id, stats.cpuMs, stats.wallMs, stats.heapBytes, stats.cold ? 1 : 0, reply.logs]) + "\n" + reply.json;
}

/** The result in `text`, or undefined if `text` is not one. */
export function decodeResult(text: string): Extract<RunReplyMessage, { ok: true }> | undefined {
  if (text[0] !== RESULT_TAG) return undefined;
  const newline = text.indexOf("\n");
  const [id, cpuMs, wallMs, heapBytes, cold, logs] = JSON.parse(text.slice(1, newline)) as [number, number, number, number, number, string[]];
  return { type: "result", id, ok: true, json: text.slice(newline + 1), logs, stats: { cpuMs, wallMs, heapBytes, cold: cold === 1 } };
}
