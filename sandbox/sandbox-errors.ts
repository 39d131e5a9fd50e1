import { ErrorKind, InternalError, PlatformError, PlatformErrorCode, isPlatformError, restorePlatformError } from "../core/sdk/platform-error.ts";

// The codes are the SDK's: node types see them from `ctx.runCode`.
import { SandboxErrorCode } from "../core/sdk/sandbox-error-code.ts";
export { SandboxErrorCode } from "../core/sdk/sandbox-error-code.ts";

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
  return new InternalError(PlatformErrorCode.internal, "The sandbox failed unexpectedly").toJSON();
}

export function isSandboxError(error: unknown, code?: SandboxErrorCode): error is PlatformError {
  return isPlatformError(error) && error.code.startsWith("SANDBOX_") && (code === undefined || error.code === code);
}
