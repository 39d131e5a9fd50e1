import { createRequire } from "node:module";
import semver from "semver";
import { InternalError, PlatformErrorCode } from "../core/sdk/platform-error.ts";

/**
 * GHSA-864f-rcv7-6rh4 (August 2026): a guest holding an `ivm.Reference` could corrupt host memory
 * through `ExternalCopy`'s transfer list; fixed in 7.0.1 (and 6.2.0). We never hand a Reference
 * to tenant code, and we also refuse to start on a version without the fix.
 */
export const MIN_ISOLATED_VM = "7.0.1";

export function isolatedVmVersion(): string {
  const require = createRequire(import.meta.url);
  return (require("isolated-vm/package.json") as { version: string }).version;
}

export function assertSafeIsolatedVm(version = isolatedVmVersion()): void {
  if (!semver.valid(version) || semver.lt(version, MIN_ISOLATED_VM)) {
    throw new InternalError(PlatformErrorCode.internal, `isolated-vm ${version} is older than ${MIN_ISOLATED_VM}, which fixes GHSA-864f-rcv7-6rh4; the sandbox will not start`);
  }
}
