/**
 * The one manifest schema: a plugin's definition as data, with its zod schemas written as JSON
 * Schema. `bp-plugin pack` derives it from the `definePlugin` file (`manifestOf`); the catalog,
 * the install form, the flow validator and the load checklist read it; nothing of the plugin runs
 * to produce or check it. First-party plugins loaded in process and tenant-installed ones run in
 * the sandbox are described by the same fields.
 *
 * `pluginManifestJsonSchema()` is the JSON Schema of this schema, for the catalog and for editors.
 */
import { z } from "zod";
import { capabilityListProblem } from "./capability.ts";

/** The kinds of plugin. One plugin may provide several. */
export const PluginKind = {
  nodeType: "node-type",
  channel: "channel",
  crm: "crm",
  tool: "tool",
  llm: "llm",
  embedder: "embedder",
} as const;
export type PluginKind = (typeof PluginKind)[keyof typeof PluginKind];

/** Kinds whose code can run in the sandbox; channels, LLM providers and embedders hold sockets and stay trusted. */
export const SANDBOXED_KINDS = [PluginKind.nodeType, PluginKind.crm, PluginKind.tool] as const;

const scopedName = /^@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*$/;
const semverLike = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const jsonSchemaObject = z.record(z.string(), z.unknown());

export const secretNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "a secret name: a lowercase letter, then a-z, 0-9 and _");

/** A list of capabilities, each checked by the grammar in capability.ts with its own message. */
export const capabilitiesSchema = z.array(z.string()).max(50).superRefine((list, ctx) => {
  const problem = capabilityListProblem(list);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const manifestNodeTypeSchema = z.strictObject({
  type: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, "a node type name like pricing-quote"),
  description: z.string().max(500).optional(),
  /** JSON Schema of the node's `content` in a flow. */
  contentSchema: jsonSchemaObject.default({ type: "object" }),
  /** Connection names the node may follow. */
  connections: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/)).max(20).default(["default"]),
  /** True when the node follows connections named by its content (choice values); `connections` is then empty. */
  anyConnection: z.boolean().optional(),
  waitsForInput: z.boolean().optional(),
  sideEffects: z.boolean().optional(),
});

/**
 * A tool the plugin offers, MCP-style: a name the model calls, what it does, and the JSON Schema of
 * its arguments. Agents list it as `marketplace:<plugin id>/<name>`.
 */
export const manifestToolSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, "a tool name like lookup_order"),
  description: z.string().min(1).max(1000),
  inputSchema: jsonSchemaObject.default({ type: "object", properties: {} }),
  /** The tool changes nothing: agents call it without asking the user first (see the bot's toolPolicy). */
  readOnly: z.boolean().optional(),
});

/** A plain action (CRM contract actions, `mcp`, `chat`...), with the JSON Schema of its params. */
export const manifestActionSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, "an action name like createContact"),
  description: z.string().max(1000).optional(),
  paramsSchema: jsonSchemaObject.default({ type: "object" }),
});

export const pluginManifestSchema = z.strictObject({
  id: z.string().regex(scopedName, "a scoped name like @acme/pricing"),
  version: z.string().regex(semverLike, "a semver version like 1.2.3"),
  platform: z.string().min(1).max(100),
  kinds: z.array(z.enum(Object.values(PluginKind) as [PluginKind, ...PluginKind[]])).min(1),
  description: z.string().max(1000).default(""),
  category: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/).default("other"),
  /** JSON Schema of the per-tenant configuration (an object). */
  configSchema: jsonSchemaObject.default({ type: "object", properties: {} }),
  secrets: z.array(z.strictObject({ name: secretNameSchema, description: z.string().max(300).optional() })).max(20).default([]),
  capabilities: capabilitiesSchema.default([]),
  /** Other plugins that must be loaded first: id → semver range (in-process plugins). */
  dependencies: z.record(z.string(), z.string()).optional(),
  nodeTypes: z.array(manifestNodeTypeSchema).max(20).default([]),
  tools: z.array(manifestToolSchema).max(20).default([]),
  actions: z.array(manifestActionSchema).max(50).optional(),
});
export type PluginManifest = z.infer<typeof pluginManifestSchema>;

/** The JSON Schema of a manifest, for the catalog and editors. */
export function pluginManifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pluginManifestSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
