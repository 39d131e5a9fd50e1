import type { z } from "zod";
import type { ActionDefinition, PluginDefinition, ToolDefinition } from "./define-plugin.ts";
import type { PluginKv } from "./plugin-kv.ts";
import type { PluginRoute, PluginSocketRoute } from "./plugin-route.ts";
import type { NodeHandler, NodeTypeDefinition, NodeTypeImplementation, NodeValidator, SafeFetchInit, SafeFetchResponse } from "./node-type.ts";

export type ActionContext = {
  tenantId?: string;
  /** The tenant's configuration of this plugin, when the caller supplied it (CRM connectors get theirs from the `crm` service). */
  config: unknown;
  /** Decrypted credentials for this call only; never log, store or return them. */
  secrets: Record<string, string>;
  log: (message: string, data?: Record<string, unknown>) => void;
  /** HTTP through the platform's SSRF guard (vendor APIs). */
  fetch?: (url: string, init?: SafeFetchInit) => Promise<SafeFetchResponse>;
  /**
   * Set when the caller named a tenant: calls a platform action (e.g. `crm.upsertContact`) for
   * that tenant, whose id is forced into the params whatever they say.
   */
  call?: <T = unknown>(action: string, params: Record<string, unknown>) => Promise<T>;
  /** Set when the caller named a tenant: emits a platform event with that tenant's id in its payload. */
  emit?: (event: string, payload: Record<string, unknown>) => void;
  /**
   * Set when the caller shows this call's output live (an LLM reply streamed to the web chat):
   * hand text over as it arrives. It is provisional; the action's result is what counts.
   */
  stream?: { delta(text: string): void };
  /** The plugin's own key-value storage for this tenant, when granted `kv` (sandboxed plugins). */
  kv?: PluginKv;
};
export type ActionHandler<P = unknown> = (params: P, ctx: ActionContext) => unknown;

type NodeTypeNames<D> = D extends PluginDefinition<z.ZodType, infer N, Record<string, ActionDefinition>> ? N[number]["type"] : never;
type ContentOf<D, T> = D extends PluginDefinition<z.ZodType, infer N, Record<string, ActionDefinition>>
  ? z.infer<Extract<N[number], { type: T }>["content"]>
  : never;
type ActionsOf<D> = D extends PluginDefinition<z.ZodType, readonly NodeTypeDefinition[], infer A> ? A : never;
type ToolsOf<D> = D extends PluginDefinition<z.ZodType, readonly NodeTypeDefinition[], Record<string, ActionDefinition>, infer T> ? T : never;

/** Binds one node type's handler to its definition, with the content type inferred from the schema. */
export function implementNodeType<D extends PluginDefinition, T extends NodeTypeNames<D>>(
  _definition: D,
  _type: T,
  run: NodeHandler<ContentOf<D, T>>,
  validate?: NodeValidator<ContentOf<D, T>>,
): NodeTypeImplementation<ContentOf<D, T>> {
  return { run, validate };
}

export type PluginImplementation<D extends PluginDefinition> = {
  nodeTypes?: { [T in NodeTypeNames<D>]: NodeTypeImplementation<ContentOf<D, T>> };
  actions?: { [K in keyof ActionsOf<D>]: ActionHandler<z.infer<ActionsOf<D>[K]["params"]>> };
  /** One handler per declared tool: `(args, ctx)`, answering text, an MCP result or any JSON value. */
  tools?: { [K in keyof ToolsOf<D>]: ActionHandler<z.infer<ToolsOf<D>[K] extends ToolDefinition ? ToolsOf<D>[K]["params"] : z.ZodType>> };
  /** HTTP routes (channels, assets); see plugin-route.ts. Trusted plugins only. */
  routes?: readonly PluginRoute[];
  /** WebSocket routes under `/v1/channels/` (voice media streams); see plugin-route.ts. Trusted plugins only. */
  sockets?: readonly PluginSocketRoute[];
  /** Called when the plugin is loaded on a node (open sockets, warm caches). */
  start?: () => Promise<void> | void;
  /** Called when it is unloaded or replaced; release what `start` took. */
  stop?: () => Promise<void> | void;
};

/** What a plugin's entry module exports as `default`: its definition with its handlers bound. */
export type PluginModule<D extends PluginDefinition = PluginDefinition> = {
  definition: D;
  implementation: PluginImplementation<D>;
};

export function implementPlugin<D extends PluginDefinition>(definition: D, implementation: PluginImplementation<D>): PluginModule<D> {
  return { definition, implementation };
}
