/**
 * Why a run of tenant code failed (`ctx.runCode`, sandboxed plugins). Every failure is one of
 * these codes; the message is written for the tenant (it goes to their session log) and never
 * carries a host stack trace or a secret.
 */
export const SandboxErrorCode = {
  /** Wall time spent (awaiting host calls included). */
  timeout: "SANDBOX_TIMEOUT",
  /** CPU time per call spent (endless loops, microtask floods). */
  cpuLimit: "SANDBOX_CPU_LIMIT",
  /** The tenant's isolate reached its heap limit and was replaced. */
  memoryLimit: "SANDBOX_MEMORY_LIMIT",
  resultTooLarge: "SANDBOX_RESULT_TOO_LARGE",
  /** The returned value is not JSON (cycles, BigInt, a throwing getter) or not the expected shape. */
  badResult: "SANDBOX_BAD_RESULT",
  /** The tenant's own code threw; the message is theirs. */
  threw: "SANDBOX_THREW",
  syntax: "SANDBOX_SYNTAX",
  capabilityDenied: "SANDBOX_CAPABILITY_DENIED",
  /** The input could not be copied in (not JSON, too large). */
  badInput: "SANDBOX_BAD_INPUT",
  /** Another run of the same tenant broke a limit and took the shared isolate down with it. */
  isolateReset: "SANDBOX_ISOLATE_RESET",
  workerCrashed: "SANDBOX_WORKER_CRASHED",
  /** Too many runs of this tenant at once. */
  busy: "SANDBOX_BUSY",
  /** This tenant's code crashed workers repeatedly; its runs are refused for a while. */
  throttled: "SANDBOX_THROTTLED",
  closed: "SANDBOX_CLOSED",
} as const;
export type SandboxErrorCode = (typeof SandboxErrorCode)[keyof typeof SandboxErrorCode];
