/**
 * How the host calls into a marketplace bundle. A bundle is what `bp-plugin pack` makes of a
 * `definePlugin` file: its `implementPlugin(...)` module exported as `__bpPlugin`, whose handlers
 * have the signatures they have in process:
 *
 *   nodeTypes: { "pricing-quote": { run: (ctx) => ({ messages, next }) } }   ctx.node.content, ctx.config, ctx.vars.set(...)
 *   tools:     { opening_hours: (args, ctx) => "text" | { content, isError } | value }
 *   actions:   { createContact: (params, ctx) => contact, ... }             the CRM contract's actions
 *
 * The host appends a small entry module of its own to the source (same module scope, so it sees
 * that binding) and builds `ctx` there from what the tenant granted: `config`, `log`, `fetch`
 * (`http:` grants), `kv` (its keys prefixed with the plugin id: two plugins of one tenant cannot
 * read each other's data, and uninstalling a plugin removes exactly its keys), `secrets` (for each
 * `secrets:name` grant, the placeholder `{{secret:name}}`, filled in by the host when a request
 * leaves; the value never enters the isolate), `crypto`, `llm`, `knowledge`.
 *
 * A package of the first format (a hand-written bundle exporting `nodeTypes`, `tools` and `crm`
 * objects of `({ content | args | params, config }, ctx)` handlers) is still read: the entry
 * calls it the old way, so tenants who installed one keep working. `bp-plugin pack` makes only
 * the new format, and the guide documents only it.
 */
import { ValidationError } from "../../core/sdk/platform-error.ts";
import { REQUIRED_CRM_ACTIONS, type PluginManifest } from "../package/plugin-manifest.schema.ts";

const ENTRY = "__marketplaceEntry";
/** The binding `bp-plugin pack` exports the plugin module under. */
export const PLUGIN_BINDING = "__bpPlugin";

const entrySource = `
;export const ${ENTRY} = (() => {
  const plugin = typeof ${PLUGIN_BINDING} === "object" && ${PLUGIN_BINDING} !== null && typeof ${PLUGIN_BINDING}.implementation === "object" ? ${PLUGIN_BINDING}.implementation : undefined;
  const legacy = (name) => {
    // A binding the bundle does not declare throws a ReferenceError here, read as "not exported".
    try {
      const value = name === "nodeTypes" ? nodeTypes : name === "tools" ? tools : crm;
      return typeof value === "object" && value !== null ? value : undefined;
    } catch { return undefined; }
  };
  const exported = (kind) => {
    if (!plugin) return legacy(kind);
    const o = kind === "nodeTypes" ? plugin.nodeTypes : kind === "tools" ? plugin.tools : plugin.actions;
    return typeof o === "object" && o !== null ? o : undefined;
  };
  const callable = (o, k) => (plugin && o === plugin.nodeTypes ? typeof o[k]?.run === "function" : typeof o[k] === "function");
  const functions = (kind) => { const o = exported(kind); return o ? Object.keys(o).filter((k) => callable(o, k)) : []; };
  const scopedKv = (request, ctx) => {
    const p = request.kvPrefix;
    return ctx.kv && Object.freeze({
      get: (key) => ctx.kv.get(p + String(key)),
      set: (key, value) => ctx.kv.set(p + String(key), value),
      delete: (key) => ctx.kv.delete(p + String(key)),
      list: async (prefix) => (await ctx.kv.list(p + (prefix === undefined ? "" : String(prefix)))).map((k) => k.slice(p.length)),
    });
  };
  const scoped = (request, ctx) => Object.freeze({ ...ctx, kv: scopedKv(request, ctx) });
  const handler = (kind, name, what) => {
    const o = exported(kind);
    if (!o || !Object.hasOwn(o, name) || !callable(o, name)) throw new Error("This plugin has no " + what + " " + name);
    return o[name];
  };
  const secretsOf = (request) => Object.freeze(Object.fromEntries((request.secretNames ?? []).map((n) => [n, "{{secret:" + n + "}}"])));
  // The ctx of an action or tool, as in process (ActionContext).
  const actionCtx = (request, ctx) => Object.freeze({
    tenantId: request.tenantId, config: request.input.config ?? {}, secrets: secretsOf(request), log: ctx.log,
    fetch: ctx.fetch, kv: scopedKv(request, ctx), crypto: ctx.crypto, llm: ctx.llm, knowledge: ctx.knowledge,
  });
  const writable = /^(session|user|temp)\\.[A-Za-z0-9_]+(\\.[A-Za-z0-9_-]+)*$/;
  return {
    describe() {
      return { format: plugin ? 2 : 1, nodeTypes: functions("nodeTypes"), tools: functions("tools"), crm: functions("crm") };
    },
    async nodeType(request, ctx) {
      if (!plugin) return handler("nodeTypes", request.type, "node type")(request.input, scoped(request, ctx));
      const run = handler("nodeTypes", request.type, "node type").run;
      const written = {};
      const line = (level) => (message, data) => (data === undefined ? ctx.log("[" + level + "] " + message) : ctx.log("[" + level + "] " + message, data));
      const nodeCtx = Object.freeze({
        tenantId: request.tenantId, botId: request.botId, sessionId: request.sessionId,
        node: Object.freeze({ id: request.nodeId, type: request.type, content: request.input.content, connections: Object.freeze({}) }),
        input: undefined, state: undefined, idempotencyKey: request.input.idempotencyKey, config: request.input.config ?? {},
        // The content is rendered by the host before the call; the plugin sees no other variables.
        vars: Object.freeze({
          get: (path) => (Object.hasOwn(written, path) ? written[path] : undefined),
          set: (path, value) => { if (!writable.test(String(path))) throw new Error("A plugin may set session.*, user.* and temp.* only, not " + path); written[path] = value === undefined ? null : value; },
          unset: (path) => { written[path] = null; },
          snapshot: () => ({ ...written }),
        }),
        render: (template) => String(template), resolveSecrets: async (template) => String(template),
        log: Object.freeze({ info: line("info"), warn: line("warn"), error: line("error") }),
        fetch: ctx.fetch, kv: scopedKv(request, ctx), secrets: secretsOf(request),
      });
      const result = (await run(nodeCtx)) ?? {};
      const answer = {};
      if (Object.keys(written).length > 0) answer.vars = written;
      if (result.messages !== undefined) answer.messages = result.messages;
      if (result.next !== undefined) answer.next = result.next;
      return answer;
    },
    tool(request, ctx) {
      const fn = handler("tools", request.name, "tool");
      return plugin ? fn(request.input.args, actionCtx(request, ctx)) : fn(request.input, scoped(request, ctx));
    },
    crm(request, ctx) {
      const fn = handler("crm", request.action, "CRM action");
      return plugin ? fn(request.input.params, actionCtx(request, ctx)) : fn(request.input, scoped(request, ctx));
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
  if (bundle.includes(ENTRY)) throw new ValidationError("BUNDLE_INVALID", `bundle.mjs may not declare ${ENTRY}`, { file: "bundle.mjs" });
  return bundle + "\n" + entrySource;
}

export const entries = {
  describe: `${ENTRY}.describe`, nodeType: `${ENTRY}.nodeType`, tool: `${ENTRY}.tool`, crm: `${ENTRY}.crm`, purge: `${ENTRY}.purge`,
} as const;

/** Keys of one plugin in its tenant's kv space. */
export function kvPrefixOf(pluginId: string): string {
  return `plugin:${pluginId}:`;
}

/** What the entry needs besides the handler's own input: the plugin's kv prefix and the names of its granted secrets. */
export function requestFor(plugin: { pluginId: string; grants: readonly string[] }, extra: Record<string, unknown>): Record<string, unknown> {
  return { ...extra, kvPrefix: kvPrefixOf(plugin.pluginId), secretNames: plugin.grants.filter((g) => g.startsWith("secrets:")).map((g) => g.slice(8)) };
}

/** What the bundle exports must match what the manifest declares. */
export function checkDescribedBundle(manifest: PluginManifest, described: unknown): void {
  const listed = (kind: string) => {
    const value = (described as Record<string, unknown> | null)?.[kind];
    return new Set(Array.isArray(value) ? value.map(String) : []);
  };
  const nodeTypes = listed("nodeTypes");
  for (const nodeType of manifest.nodeTypes) {
    if (!nodeTypes.has(nodeType.type)) throw new ValidationError("BUNDLE_INVALID", `bundle.mjs exports no handler nodeTypes["${nodeType.type}"] that manifest.json declares`, { field: "nodeTypes", type: nodeType.type });
  }
  const tools = listed("tools");
  for (const tool of manifest.tools ?? []) {
    if (!tools.has(tool.name)) throw new ValidationError("BUNDLE_INVALID", `bundle.mjs exports no handler tools["${tool.name}"] that manifest.json declares`, { field: "tools", tool: tool.name });
  }
  if (manifest.kinds.includes("crm")) {
    const crm = listed("crm");
    const missing = REQUIRED_CRM_ACTIONS.filter((a) => !crm.has(a));
    if (missing.length > 0) throw new ValidationError("BUNDLE_INVALID", `bundle.mjs is a crm plugin but exports no crm.${missing.join(", crm.")}`, { field: "kinds", missing });
  }
}
