import { Errors } from "moleculer";
import { isPlatformError, restorePlatformError } from "../../sdk/platform-error.ts";

/**
 * Moleculer rebuilds only its own error classes after a transporter hop. This regenerator
 * carries our `status` and `kind` across and rebuilds PlatformErrors with their class and code,
 * so a caller on node A sees the same NotFoundError that node B threw.
 */
export class PlatformErrorRegenerator extends Errors.Regenerator {
  override extractPlainError(err: Error, payload?: Record<string, unknown>): Errors.PlainMoleculerError {
    const plain = super.extractPlainError(err as Errors.MoleculerError, payload as never);
    if (isPlatformError(err)) {
      return { ...plain, code: err.code as never, platform: { status: err.status, kind: err.kind } } as Errors.PlainMoleculerError;
    }
    return plain;
  }

  override restoreCustomError(plainError: Errors.PlainMoleculerError): Error {
    const plain = plainError as Errors.PlainMoleculerError & { platform?: { status: number; kind: string } };
    if (plain.platform) {
      return restorePlatformError({ ...plain, status: plain.platform.status, kind: plain.platform.kind, data: plain.data as unknown });
    }
    // Moleculer's own code returns undefined here to mean "not a custom error"; its typings say Error.
    return undefined as unknown as Error;
  }
}
