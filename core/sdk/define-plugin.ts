import { z } from "zod";
import type { NodeTypeDefinition } from "./node-type.ts";

/** The platform API version plugins declare a range against (`platform: "^1.0.0"`). */
export const PLATFORM_API_VERSION = "1.0.0";

export const PluginKind = {
  nodeType: "node-type",
  channel: "channel",
  crm: "crm",
  tool: "tool",
  llm: "llm",
  embedder: "embedder",
} as const;
export type PluginKind = (typeof PluginKind)[keyof typeof PluginKind];

export type SecretDeclaration = { name: string; description?: string };

/** A plain action other services may call, with its params validated by a zod schema. */
export type ActionDefinition<P extends z.ZodType = z.ZodType> = { description?: string; params: P };

/**
 * What a plugin is, as data: the marketplace and the flow editor read this without running any
 * of the plugin's code. Handlers are bound separately with `implementPlugin`.
 */
export type PluginDefinition<
  C extends z.ZodType = z.ZodType,
  N extends readonly NodeTypeDefinition[] = readonly NodeTypeDefinition[],
  A extends Record<string, ActionDefinition> = Record<string, ActionDefinition>,
> = {
  /** Scoped package-style name, e.g. `@acme/hubspot`. */
  id: string;
  /** Semver of this plugin. */
  version: string;
  /** Semver range of the platform API this plugin works with. */
  platform: string;
  kinds: readonly PluginKind[];
  description?: string;
  /** Per-tenant configuration, validated on install. */
  config?: C;
  /** Secrets it needs, by name only; values are filled in by the host at call time. */
  secrets?: readonly SecretDeclaration[];
  /** Capabilities it asks for, e.g. `http:api.hubapi.com`, `kv`, `secrets:hubspot_token`. */
  capabilities?: readonly string[];
  /** Other plugins that must be loaded first: id → semver range. */
  dependencies?: Readonly<Record<string, string>>;
  nodeTypes?: N;
  actions?: A;
};

const scopedName = /^@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*$/;

/** The manifest's own shape, checked at load and at publish. */
export const pluginManifestSchema = z.object({
  id: z.string().regex(scopedName, "must be a scoped name like @acme/hubspot"),
  version: z.string().min(1),
  platform: z.string().min(1),
  kinds: z.array(z.enum(Object.values(PluginKind) as [PluginKind, ...PluginKind[]])).min(1),
  description: z.string().optional(),
  secrets: z.array(z.object({ name: z.string().regex(/^[a-z][a-z0-9_]*$/), description: z.string().optional() })).optional(),
  capabilities: z.array(z.string().regex(/^[a-z]+(:[^\s]+)?$/)).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
});

/** Identity function that exists for inference: `definePlugin({...})` keeps every literal type. */
export function definePlugin<
  const C extends z.ZodType = z.ZodObject<Record<string, never>>,
  const N extends readonly NodeTypeDefinition[] = readonly [],
  const A extends Record<string, ActionDefinition> = Record<string, never>,
>(definition: PluginDefinition<C, N, A>): PluginDefinition<C, N, A> {
  return definition;
}

/** The JSON form of a definition (schemas as JSON Schema), for the catalog and admin API. */
export function describePlugin(definition: PluginDefinition): Record<string, unknown> {
  return {
    id: definition.id,
    version: definition.version,
    platform: definition.platform,
    kinds: definition.kinds,
    description: definition.description,
    configSchema: definition.config ? z.toJSONSchema(definition.config, { unrepresentable: "any" }) : undefined,
    secrets: definition.secrets ?? [],
    capabilities: definition.capabilities ?? [],
    dependencies: definition.dependencies ?? {},
    nodeTypes: (definition.nodeTypes ?? []).map((n) => ({
      type: n.type,
      description: n.description,
      waitsForInput: n.waitsForInput ?? false,
      connections: n.connections,
      contentSchema: z.toJSONSchema(n.content, { unrepresentable: "any" }),
    })),
    actions: Object.keys(definition.actions ?? {}),
  };
}
