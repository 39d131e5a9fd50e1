import type { SandboxLimits } from "./sandbox-limits.ts";

/**
 * Messages between the supervisor (main process) and a sandbox worker process, over the fork
 * IPC channel. Everything is plain JSON: values cross as JSON text, errors as their JSON form.
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

export type ToWorker = RunMessage | BridgeReplyMessage | { type: "configure"; idleMs: number } | { type: "stats" };

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
