import { z } from "zod";
import type { TenantCodeRequest, TenantCodeResult } from "../core/sdk/node-type.ts";
import { SandboxError, SandboxErrorCode } from "./sandbox-errors.ts";
import type { Sandbox, SandboxRunRequest } from "./sandbox-supervisor.ts";

/** What a `code` node or a code-backed composite must return. Nothing returned means `{}`. */
export const tenantCodeResultSchema = z.strictObject({
  output: z.record(z.string(), z.unknown()).optional(),
  next: z.string().min(1).max(200).optional(),
});

/**
 * `NodeContext.runCode` as the host wires it: runs the request in the tenant's isolate and checks
 * the shape of what comes back. Failures are SandboxErrors (`SANDBOX_*`).
 */
export async function runTenantCode(sandbox: Pick<Sandbox, "run">, tenantId: string, request: TenantCodeRequest, extra: Pick<SandboxRunRequest, "tier" | "limits" | "secrets"> = {}): Promise<TenantCodeResult> {
  const result = await sandbox.run({ tenantId, source: request.source, input: request.input, grants: request.grants, ...extra });
  const parsed = tenantCodeResultSchema.safeParse(result.value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new SandboxError(SandboxErrorCode.badResult, `The code must return { output, next }: ${issue?.message ?? "wrong shape"}${where}`, { logs: result.logs });
  }
  return { ...parsed.data, logs: result.logs };
}

/** Hooks (a question's validator, a condition) must return a boolean. */
export async function runTenantPredicate(sandbox: Pick<Sandbox, "run">, request: SandboxRunRequest): Promise<boolean> {
  const result = await sandbox.run(request);
  if (typeof result.value !== "boolean") throw new SandboxError(SandboxErrorCode.badResult, "The function must return true or false");
  return result.value;
}
