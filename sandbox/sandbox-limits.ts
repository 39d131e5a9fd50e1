import { z } from "zod";

/**
 * The limits every run of tenant code works under. Each tier (free, pro...) may change any of
 * them; a call may narrow them further. One schema: validation, the type, and the config docs.
 */
export const sandboxLimitsSchema = z.object({
  /** Heap of the tenant's isolate, in MiB. Reaching it replaces the isolate. */
  heapMb: z.number().int().min(8).max(1024).default(32),
  /** CPU time one call may spend, all its continuations included. */
  cpuMs: z.number().int().min(1).max(60_000).default(50),
  /** Wall time one call may take, time spent awaiting host calls included. */
  wallMs: z.number().int().min(10).max(300_000).default(5_000),
  /** Size of the JSON a call returns, counted in characters (UTF-16 code units) of the JSON text. */
  resultBytes: z.number().int().min(64).max(64 * 1024 * 1024).default(256 * 1024),
  /** Size of the JSON input copied in, counted the same way. */
  inputBytes: z.number().int().min(64).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Runs of one tenant at the same time, across all workers of this supervisor. */
  concurrency: z.number().int().min(1).max(1_000).default(4),
  /** Host calls (fetch, kv, llm...) one run may make. */
  hostCalls: z.number().int().min(0).max(10_000).default(32),
  /** Response body cap for `ctx.fetch`. */
  fetchBytes: z.number().int().min(1).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Log lines kept per run, and their total size. */
  logLines: z.number().int().min(0).max(10_000).default(50),
  logBytes: z.number().int().min(0).max(1024 * 1024).default(8 * 1024),
});
export type SandboxLimits = z.infer<typeof sandboxLimitsSchema>;
export type SandboxLimitsInput = z.input<typeof sandboxLimitsSchema>;

export const DEFAULT_LIMITS: SandboxLimits = sandboxLimitsSchema.parse({});

/** Tier name → the limits it changes. `default` applies when a run names no tier. */
export type SandboxTiers = Readonly<Record<string, Partial<SandboxLimits>>>;

export function resolveLimits(tiers: SandboxTiers, tier: string | undefined, overrides: Partial<SandboxLimits> | undefined): SandboxLimits {
  return sandboxLimitsSchema.parse({ ...DEFAULT_LIMITS, ...tiers.default, ...(tier ? tiers[tier] : undefined), ...overrides });
}
