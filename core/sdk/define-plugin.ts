import { z } from "zod";
import type { NodeTypeDefinition } from "./node-type.ts";
import type { PluginKind, PluginManifest } from "./plugin-manifest.ts";

/** The platform API version plugins declare a range against (`platform: "^1.0.0"`). */
export const PLATFORM_API_VERSION = "1.0.0";

export { PluginKind, pluginManifestSchema } from "./plugin-manifest.ts";

export type SecretDeclaration = { name: string; description?: string };

/** A plain action other services may call, with its params validated by a zod schema. */
export type ActionDefinition<P extends z.ZodType = z.ZodType> = { description?: string; params: P };

/** A tool a model may call (kind `tool`): what it does, for the model, and its arguments' schema (an object). */
/** `readOnly`: the tool changes nothing (MCP `readOnlyHint`), so an agent may call it without asking the user first. */
export type ToolDefinition<P extends z.ZodType = z.ZodType> = { description: string; params: P; readOnly?: boolean };

/**
 * What a plugin is, as data: the marketplace and the flow editor read this without running any
 * of the plugin's code. Handlers are bound separately with `implementPlugin`.
 */
export type PluginDefinition<
  C extends z.ZodType = z.ZodType,
  N extends readonly NodeTypeDefinition[] = readonly NodeTypeDefinition[],
  A extends Record<string, ActionDefinition> = Record<string, ActionDefinition>,
  T extends Record<string, ToolDefinition> = Record<string, ToolDefinition>,
> = {
  /** Scoped package-style name, e.g. `@acme/hubspot`. */
  id: string;
  /** Semver of this plugin. */
  version: string;
  /** Semver range of the platform API this plugin works with. */
  platform: string;
  kinds: readonly PluginKind[];
  description?: string;
  /** Where the catalog lists it (`crm`, `productivity`...); default `other`. */
  category?: string;
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
  /** Tools for agents and the flow's `tool` node (kind `tool`), bound with `implementPlugin(..., { tools })`. */
  tools?: T;
};

/** Identity function that exists for inference: `definePlugin({...})` keeps every literal type. */
export function definePlugin<
  const C extends z.ZodType = z.ZodObject<Record<string, never>>,
  const N extends readonly NodeTypeDefinition[] = readonly [],
  const A extends Record<string, ActionDefinition> = Record<string, never>,
  const T extends Record<string, ToolDefinition> = Record<string, never>,
>(definition: PluginDefinition<C, N, A, T>): PluginDefinition<C, N, A, T> {
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
    tools: Object.keys(definition.tools ?? {}),
  };
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;

/**
 * The manifest of a definition (plugin-manifest.ts): the same data, with its schemas as JSON
 * Schema. Reads the definition only; no handler runs. Throws when a schema cannot be written as
 * JSON Schema.
 */
export function manifestOf(definition: PluginDefinition): PluginManifest {
  return {
    id: definition.id,
    version: definition.version,
    platform: definition.platform,
    kinds: [...definition.kinds],
    description: definition.description ?? "",
    category: definition.category ?? "other",
    configSchema: definition.config ? jsonSchema(definition.config) : { type: "object", properties: {} },
    secrets: (definition.secrets ?? []).map((s) => ({ name: s.name, ...(s.description ? { description: s.description } : {}) })),
    capabilities: [...(definition.capabilities ?? [])],
    ...(definition.dependencies ? { dependencies: { ...definition.dependencies } } : {}),
    nodeTypes: (definition.nodeTypes ?? []).map((n) => ({
      type: n.type,
      ...(n.description ? { description: n.description } : {}),
      contentSchema: jsonSchema(n.content),
      connections: n.connections === "any" ? [] : [...n.connections],
      ...(n.connections === "any" ? { anyConnection: true } : {}),
      ...(n.waitsForInput ? { waitsForInput: true } : {}),
      ...(n.sideEffects ? { sideEffects: true } : {}),
    })),
    tools: Object.entries(definition.tools ?? {}).map(([name, t]) => ({ name, description: t.description, inputSchema: jsonSchema(t.params), ...(t.readOnly ? { readOnly: true } : {}) })),
    ...(definition.actions && Object.keys(definition.actions).length > 0
      ? { actions: Object.entries(definition.actions).map(([name, a]) => ({ name, ...(a.description ? { description: a.description } : {}), paramsSchema: jsonSchema(a.params) })) }
      : {}),
  };
}
