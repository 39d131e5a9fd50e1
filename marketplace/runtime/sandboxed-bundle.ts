/**
 * How the host calls into a marketplace bundle. The bundle declares its handlers by kind:
 *
 *   export const nodeTypes = { "pricing-quote": async ({ content, config }, ctx) => ({ vars, messages, next }) };
 *   export const tools = { opening_hours: async ({ args, config }, ctx) => "text" | { content, isError } | value };
 *   export const crm = { createContact: async ({ params, config }, ctx) => contact, ... };   // the CRM contract's actions
 *
 * and the host appends a small entry module of its own to the source (same module scope, so it
 * sees those bindings). That entry gives the handler a `ctx.kv` whose keys are prefixed with the
 * plugin id: two plugins of one tenant cannot read each other's data, and uninstalling a plugin
 * removes exactly its keys. Everything else of `ctx` is what the tenant granted.
 */
import { ValidationError } from "../../core/sdk/platform-error.ts";
import { REQUIRED_CRM_ACTIONS, type PluginManifest } from "../package/plugin-manifest.schema.ts";

const ENTRY = "__marketplaceEntry";

const entrySource = `
;export const ${ENTRY} = (() => {
  const exported = (name) => {
    // A binding the bundle does not declare throws a ReferenceError here, read as "not exported".
    try {
      const value = name === "nodeTypes" ? nodeTypes : name === "tools" ? tools : crm;
      return typeof value === "object" && value !== null ? value : undefined;
    } catch { return undefined; }
  };
  const functions = (name) => { const o = exported(name); return o ? Object.keys(o).filter((k) => typeof o[k] === "function") : []; };
  const scoped = (request, ctx) => {
    const p = request.kvPrefix;
    const kv = ctx.kv && Object.freeze({
      get: (key) => ctx.kv.get(p + String(key)),
      set: (key, value) => ctx.kv.set(p + String(key), value),
      delete: (key) => ctx.kv.delete(p + String(key)),
      list: async (prefix) => (await ctx.kv.list(p + (prefix === undefined ? "" : String(prefix)))).map((k) => k.slice(p.length)),
    });
    return Object.freeze({ ...ctx, kv });
  };
  const handler = (kind, name, what) => {
    const o = exported(kind);
    const fn = o && Object.hasOwn(o, name) ? o[name] : undefined;
    if (typeof fn !== "function") throw new Error("This plugin has no " + what + " " + name);
    return fn;
  };
  return {
    describe() {
      return { nodeTypes: functions("nodeTypes"), tools: functions("tools"), crm: functions("crm") };
    },
    nodeType(request, ctx) {
      return handler("nodeTypes", request.type, "node type")(request.input, scoped(request, ctx));
    },
    tool(request, ctx) {
      return handler("tools", request.name, "tool")(request.input, scoped(request, ctx));
    },
    crm(request, ctx) {
      return handler("crm", request.action, "CRM action")(request.input, scoped(request, ctx));
    },
    async purge(request, ctx) {
      // Bounded by the sandbox's host-call limit per run; the host calls again until nothing is left.
      const keys = (await ctx.kv.list(request.kvPrefix)).slice(0, 25);
      for (const key of keys) await ctx.kv.delete(key);
      return { deleted: keys.length };
    },
  };
})();
`;

export function wrapBundle(bundle: string): string {
  if (bundle.includes(ENTRY)) throw new ValidationError(`bundle.mjs may not declare ${ENTRY}`, { file: "bundle.mjs" }, "BUNDLE_INVALID");
  return bundle + "\n" + entrySource;
}

export const entries = {
  describe: `${ENTRY}.describe`, nodeType: `${ENTRY}.nodeType`, tool: `${ENTRY}.tool`, crm: `${ENTRY}.crm`, purge: `${ENTRY}.purge`,
} as const;

/** Keys of one plugin in its tenant's kv space. */
export function kvPrefixOf(pluginId: string): string {
  return `plugin:${pluginId}:`;
}

/** What the bundle exports must match what the manifest declares. */
export function checkDescribedBundle(manifest: PluginManifest, described: unknown): void {
  const listed = (kind: string) => {
    const value = (described as Record<string, unknown> | null)?.[kind];
    return new Set(Array.isArray(value) ? value.map(String) : []);
  };
  const nodeTypes = listed("nodeTypes");
  for (const nodeType of manifest.nodeTypes) {
    if (!nodeTypes.has(nodeType.type)) throw new ValidationError(`bundle.mjs exports no handler nodeTypes["${nodeType.type}"] that manifest.json declares`, { field: "nodeTypes", type: nodeType.type }, "BUNDLE_INVALID");
  }
  const tools = listed("tools");
  for (const tool of manifest.tools ?? []) {
    if (!tools.has(tool.name)) throw new ValidationError(`bundle.mjs exports no handler tools["${tool.name}"] that manifest.json declares`, { field: "tools", tool: tool.name }, "BUNDLE_INVALID");
  }
  if (manifest.kinds.includes("crm")) {
    const crm = listed("crm");
    const missing = REQUIRED_CRM_ACTIONS.filter((a) => !crm.has(a));
    if (missing.length > 0) throw new ValidationError(`bundle.mjs is a crm plugin but exports no crm.${missing.join(", crm.")}`, { field: "kinds", missing }, "BUNDLE_INVALID");
  }
}
