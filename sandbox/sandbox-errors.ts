import { ErrorKind, InternalError, PlatformError, isPlatformError, restorePlatformError } from "../core/sdk/platform-error.ts";

/**
 * Why a run of tenant code failed. Every failure is one of these codes; the message is written for
 * the tenant (it goes to their session log) and never carries a host stack trace or a secret.
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

const transientCodes: ReadonlySet<string> = new Set([SandboxErrorCode.isolateReset, SandboxErrorCode.workerCrashed, SandboxErrorCode.busy, SandboxErrorCode.throttled, SandboxErrorCode.closed]);

function statusOf(code: string): number {
  if (code === SandboxErrorCode.capabilityDenied) return 403;
  if (code === SandboxErrorCode.badInput) return 400;
  if (code === SandboxErrorCode.busy || code === SandboxErrorCode.throttled) return 429;
  if (transientCodes.has(code)) return 503;
  return 422; // the tenant's code is at fault: the request was fine, the code it runs is not
}

/** A failure of tenant code, or of the sandbox running it. Plain JSON across processes. */
export class SandboxError extends PlatformError {
  constructor(code: SandboxErrorCode, message: string, data?: Record<string, unknown>) {
    const transient = transientCodes.has(code);
    super(code, message, { status: statusOf(code), kind: transient ? ErrorKind.transient : ErrorKind.user, retryable: transient, data });
    this.name = "SandboxError";
  }
}

/** Rebuilds a SandboxError (or any PlatformError) from its JSON form after a process hop. */
export function restoreSandboxError(plain: Record<string, unknown>): PlatformError {
  const code = String(plain.code ?? "");
  if ((Object.values(SandboxErrorCode) as string[]).includes(code)) {
    const data = typeof plain.data === "object" && plain.data !== null ? (plain.data as Record<string, unknown>) : undefined;
    return new SandboxError(code as SandboxErrorCode, String(plain.message ?? ""), data);
  }
  return restorePlatformError(plain);
}

/** The JSON form of any error, safe to send to another process: no stack, no cause. */
export function plainError(error: unknown): Record<string, unknown> {
  if (isPlatformError(error)) return error.toJSON();
  return new InternalError("The sandbox failed unexpectedly").toJSON();
}

export function isSandboxError(error: unknown, code?: SandboxErrorCode): error is PlatformError {
  return isPlatformError(error) && error.code.startsWith("SANDBOX_") && (code === undefined || error.code === code);
}
