/**
 * How the host calls into a marketplace bundle. The bundle declares its handlers as
 *
 *   export const nodeTypes = { "pricing-quote": async (input, ctx) => ({ vars, messages, next }) };
 *
 * and the host appends a small entry module of its own to the source (same module scope, so it
 * sees the `nodeTypes` binding). That entry gives the handler a `ctx.kv` whose keys are prefixed
 * with the plugin id: two plugins of one tenant cannot read each other's data, and uninstalling a
 * plugin removes exactly its keys. Everything else of `ctx` is what the tenant granted.
 */
import { ValidationError } from "../../core/errors/platform-error.ts";
import type { PluginManifest } from "../package/plugin-manifest.schema.ts";

const ENTRY = "__marketplaceEntry";

const entrySource = `
;export const ${ENTRY} = {
  describe() {
    return { nodeTypes: typeof nodeTypes === "object" && nodeTypes !== null ? Object.keys(nodeTypes).filter((k) => typeof nodeTypes[k] === "function") : [] };
  },
  async nodeType(request, ctx) {
    const p = request.kvPrefix;
    const kv = ctx.kv && Object.freeze({
      get: (key) => ctx.kv.get(p + String(key)),
      set: (key, value) => ctx.kv.set(p + String(key), value),
      delete: (key) => ctx.kv.delete(p + String(key)),
      list: async (prefix) => (await ctx.kv.list(p + (prefix === undefined ? "" : String(prefix)))).map((k) => k.slice(p.length)),
    });
    const handler = nodeTypes[request.type];
    if (typeof handler !== "function") throw new Error("This plugin has no node type " + request.type);
    return handler(request.input, Object.freeze({ ...ctx, kv }));
  },
  async purge(request, ctx) {
    // Bounded by the sandbox's host-call limit per run; the host calls again until nothing is left.
    const keys = (await ctx.kv.list(request.kvPrefix)).slice(0, 25);
    for (const key of keys) await ctx.kv.delete(key);
    return { deleted: keys.length };
  },
};
`;

export function wrapBundle(bundle: string): string {
  if (bundle.includes(ENTRY)) throw new ValidationError(`bundle.mjs may not declare ${ENTRY}`, { file: "bundle.mjs" }, "BUNDLE_INVALID");
  return bundle + "\n" + entrySource;
}

export const entries = { describe: `${ENTRY}.describe`, nodeType: `${ENTRY}.nodeType`, purge: `${ENTRY}.purge` } as const;

/** Keys of one plugin in its tenant's kv space. */
export function kvPrefixOf(pluginId: string): string {
  return `plugin:${pluginId}:`;
}

/** What the bundle exports must match what the manifest declares. */
export function checkDescribedBundle(manifest: PluginManifest, described: unknown): void {
  const found = new Set(Array.isArray((described as { nodeTypes?: unknown })?.nodeTypes) ? (described as { nodeTypes: unknown[] }).nodeTypes.map(String) : []);
  for (const nodeType of manifest.nodeTypes) {
    if (!found.has(nodeType.type)) throw new ValidationError(`bundle.mjs exports no handler nodeTypes["${nodeType.type}"] that manifest.json declares`, { field: "nodeTypes", type: nodeType.type }, "BUNDLE_INVALID");
  }
}
