import type { Sandbox } from "./sandbox-supervisor.ts";
import { SandboxError, SandboxErrorCode } from "./sandbox-errors.ts";

/**
 * A plugin a tenant installed from the marketplace: its ESM bundle runs only in that tenant's
 * isolate, through the same runner as any tenant code, with the capabilities granted at install
 * and nothing more. The bundle exports its handlers by kind:
 *
 *   export const nodeTypes = { "upsert-contact": async (input, ctx) => ({ output, next }) };
 *   export const tools = { lookup_order: async (args, ctx) => ({ ... }) };
 *   export const crm = { contacts: { upsert: async (args, ctx) => ({ id }) } };
 *
 * Each call gets a fresh context, like every run: a plugin keeps state in `ctx.kv`, not in
 * module variables.
 */
export type SandboxedPlugin = {
  id: string;
  version: string;
  /** ESM source of the bundle (built by the integrator CLI). */
  bundle: string;
  /** What the tenant granted at install, e.g. `http:api.hubapi.com`, `kv`, `secrets:hubspot_token`. */
  grants: readonly string[];
  tier?: string;
};

const handlerName = /^[A-Za-z_$][\w$-]*$/;

export type SandboxedPluginRunner = {
  runNodeType(type: string, input: unknown): Promise<unknown>;
  callTool(name: string, args: unknown): Promise<unknown>;
  /** `operation` is `object.verb`, e.g. `contacts.upsert`. */
  callCrm(operation: string, args: unknown): Promise<unknown>;
};

export function createSandboxedPluginRunner(sandbox: Pick<Sandbox, "run">, tenantId: string, plugin: SandboxedPlugin): SandboxedPluginRunner {
  const call = async (kind: string, names: string[], input: unknown) => {
    if (names.length === 0 || names.length > 2 || !names.every((n) => handlerName.test(n))) {
      throw new SandboxError(SandboxErrorCode.badInput, `${plugin.id} has no ${kind} handler named ${JSON.stringify(names.join(".")).slice(0, 80)}`);
    }
    const result = await sandbox.run({ tenantId, source: plugin.bundle, entry: [kind, ...names].join("."), input, grants: plugin.grants, tier: plugin.tier });
    return result.value;
  };
  return {
    runNodeType: (type, input) => call("nodeTypes", [type], input),
    callTool: (name, args) => call("tools", [name], args),
    callCrm: (operation, args) => call("crm", operation.split("."), args),
  };
}
