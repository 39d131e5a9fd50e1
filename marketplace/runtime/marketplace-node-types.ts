/**
 * Each tenant's marketplace node types on this broker node. The registry of a tenant is built
 * from its enabled installs (read from the database, so a node that joins later sees them too)
 * and kept until `marketplace.installs.changed` names that tenant; then the next turn rebuilds it.
 *
 * A node of an installed type runs in the sandbox (`sandbox.execute`, on whichever node hosts the
 * isolates), with the grants the tenant gave. Its content is rendered first, so the flow author
 * chooses what the plugin sees (`"quantity": "{{session.qty}}"`); the plugin never gets the
 * session's variables wholesale. It answers `{ vars?, messages?, next? }`; `vars` may write only
 * `session.*`, `user.*` and `temp.*`.
 */
import { z } from "zod";
import type { NodeTypeRegistry, RegisteredNodeType } from "../../core/engine/flow/node-type-registry.ts";
import { overlayNodeTypes, type TenantNodeTypes } from "../../core/engine/flow/tenant-node-types.ts";
import { PlatformError } from "../../core/sdk/platform-error.ts";
import { loneVariable, type NodeContext, type NodeResult } from "../../core/sdk/index.ts";
import { schemaFromJson, type PluginManifest } from "../package/plugin-manifest.schema.ts";
import { entries, requestFor, wrapBundle } from "./sandboxed-bundle.ts";
import { logsOf, withSourcePosition } from "./plugin-failure.ts";
import { isPlatformError } from "../../core/sdk/platform-error.ts";

/** One enabled install, as the runtime needs it. */
export type InstalledPlugin = {
  pluginId: string; version: string; grants: string[]; config: Record<string, unknown>; bundle: string;
  nodeTypes: PluginManifest["nodeTypes"];
  /** Absent in views built before tools and CRM connectors existed. */
  kinds?: PluginManifest["kinds"]; tools?: PluginManifest["tools"];
};

export type SandboxExecute = (params: { tenantId: string; source: string; entry: string; input: unknown; grants: string[] }) => Promise<{ value: unknown }>;

export type MarketplaceNodeTypes = TenantNodeTypes & {
  /** Drops what this node holds for the tenant (every tenant when omitted). */
  invalidate(tenantId?: string): void;
};

const writable = /^(session|user|temp)\.[A-Za-z0-9_]+(\.[A-Za-z0-9_-]+)*$/;
const pluginAnswer = z.object({
  vars: z.record(z.string().regex(writable, "a variable under session., user. or temp."), z.unknown()).optional(),
  messages: z.array(z.object({ type: z.literal("text"), text: z.string().min(1).max(4000) })).max(10).optional(),
  next: z.string().max(64).optional(),
});

function renderContent(value: unknown, ctx: NodeContext): unknown {
  if (typeof value === "string") {
    const only = loneVariable(value);
    return only ? structuredClone(ctx.vars.get(only.ref) ?? null) : ctx.render(value);
  }
  if (Array.isArray(value)) return value.map((v) => renderContent(v, ctx));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderContent(v, ctx)]));
  return value;
}

function registeredTypes(plugin: InstalledPlugin, execute: SandboxExecute): RegisteredNodeType[] {
  const source = wrapBundle(plugin.bundle);
  return plugin.nodeTypes.map((nodeType) => ({
    type: nodeType.type,
    pluginId: plugin.pluginId,
    pluginVersion: plugin.version,
    definition: { type: nodeType.type, description: nodeType.description, content: schemaFromJson(nodeType.contentSchema, "contentSchema"), connections: nodeType.connections, sideEffects: true },
    implementation: {
      async run(ctx: NodeContext): Promise<NodeResult> {
        const input = requestFor(plugin, {
          type: nodeType.type, tenantId: ctx.tenantId, botId: ctx.botId, sessionId: ctx.sessionId, nodeId: ctx.node.id,
          input: { content: renderContent(ctx.node.content, ctx), config: plugin.config, idempotencyKey: ctx.idempotencyKey },
        });
        let value: unknown;
        try {
          ({ value } = await execute({ tenantId: ctx.tenantId, source, entry: entries.nodeType, input, grants: plugin.grants }));
        } catch (caught) {
          const error = withSourcePosition(caught, plugin.bundle);
          // The operator log gets the plugin's message, its source position and what it logged in this call.
          if (isPlatformError(error)) {
            ctx.log.error(`${plugin.pluginId}@${plugin.version} failed in node ${ctx.node.id}: ${error.code}: ${error.message}`, { plugin: plugin.pluginId, code: error.code, at: error.data?.at, pluginLogs: logsOf(error) });
          }
          throw error;
        }
        const answer = pluginAnswer.safeParse(value ?? {});
        if (!answer.success) {
          const issue = answer.error.issues[0]!;
          throw new PlatformError("PLUGIN_BAD_ANSWER", `${plugin.pluginId}@${plugin.version} answered ${issue.path.join(".") || "its result"}: ${issue.message}`, { status: 502, kind: "internal" });
        }
        for (const [path, v] of Object.entries(answer.data.vars ?? {})) ctx.vars.set(path, v);
        const next = answer.data.next;
        if (next !== undefined && !nodeType.connections.includes(next)) {
          throw new PlatformError("PLUGIN_BAD_ANSWER", `${plugin.pluginId} chose connection "${next}", which ${nodeType.type} does not declare`, { status: 502, kind: "internal" });
        }
        return { messages: answer.data.messages, next };
      },
    },
  }));
}

export function createMarketplaceNodeTypes(base: NodeTypeRegistry, deps: { loadInstalled: (tenantId: string) => Promise<InstalledPlugin[]>; execute: SandboxExecute }): MarketplaceNodeTypes {
  const views = new Map<string, Promise<NodeTypeRegistry>>();
  // An invalidation while a view is loading must win over that (stale) load.
  const generations = new Map<string, number>();
  let everyone = 0;
  const generation = (tenantId: string) => `${everyone}:${generations.get(tenantId) ?? 0}`;

  return {
    forTenant(tenantId) {
      const cached = views.get(tenantId);
      if (cached) return cached;
      const started = generation(tenantId);
      const loading = deps.loadInstalled(tenantId).then((installed) => {
        const extra: RegisteredNodeType[] = [];
        for (const plugin of installed) {
          // A type a first-party plugin provides stays the first-party one (see overlayNodeTypes).
          extra.push(...registeredTypes(plugin, deps.execute).filter((t) => !extra.some((e) => e.type === t.type)));
        }
        return overlayNodeTypes(base, extra);
      });
      loading.catch(() => undefined).finally(() => { if (generation(tenantId) !== started && views.get(tenantId) === loading) views.delete(tenantId); });
      if (views.size > 10_000) views.clear();
      views.set(tenantId, loading);
      // A failed load is not kept: the next turn tries again.
      loading.catch(() => { if (views.get(tenantId) === loading) views.delete(tenantId); });
      return loading;
    },
    invalidate(tenantId) {
      if (tenantId === undefined) { everyone++; views.clear(); return; }
      generations.set(tenantId, (generations.get(tenantId) ?? 0) + 1);
      views.delete(tenantId);
    },
  };
}
