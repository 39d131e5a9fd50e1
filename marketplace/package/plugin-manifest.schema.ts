/**
 * The manifest of a marketplace package: the plugin's definition as data (the same fields as
 * `definePlugin`, with schemas written as JSON Schema because nothing of the plugin runs on the
 * host). Checked at publish, and read by the catalog, the install form and the flow validator.
 */
import semver from "semver";
import { z } from "zod";
import { PLATFORM_API_VERSION } from "../../core/sdk/index.ts";
import { ValidationError } from "../../core/sdk/platform-error.ts";

const scopedName = /^@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*$/;

/** Kinds whose code can run in the sandbox; channels, LLM providers and embedders hold sockets and stay trusted. */
export const SANDBOXED_KINDS = ["node-type", "crm", "tool"] as const;

/**
 * `http:host` (`*.host` for subdomains), `kv`, `crypto`, `secrets:name`, `llm`, `knowledge:read`.
 * A manifest may also ask for `http:*`: one or more hosts the tenant names at install (a generic
 * REST connector cannot know its customer's API host). The tenant then grants `http:<its host>`;
 * `http:*` itself is never granted (see checkGrants).
 */
export const capabilitySchema = z.string().regex(
  /^(http:\*|http:(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|kv|crypto|secrets:[a-z][a-z0-9_]*|llm|knowledge:read)$/,
  "a capability: http:<host>, http:*, kv, crypto, secrets:<name>, llm or knowledge:read",
);

/** Whether a grant answers one of the manifest's requests: itself, or a concrete host for `http:*`. */
export function grantRequested(capabilities: readonly string[], grant: string): boolean {
  if (capabilities.includes(grant)) return grant !== "http:*";
  return grant.startsWith("http:") && grant !== "http:*" && capabilities.includes("http:*");
}

const jsonSchemaObject = z.record(z.string(), z.unknown());

export const manifestNodeTypeSchema = z.strictObject({
  type: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, "a node type name like pricing-quote"),
  description: z.string().max(500).optional(),
  /** JSON Schema of the node's `content` in a flow. */
  contentSchema: jsonSchemaObject.default({ type: "object" }),
  connections: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/)).min(1).max(20).default(["default"]),
});

/**
 * A tool the plugin offers, MCP-style: a name the model calls, what it does, and the JSON Schema of
 * its arguments. Agents list it as `marketplace:<plugin id>/<name>`.
 */
export const manifestToolSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, "a tool name like lookup_order"),
  description: z.string().min(1).max(1000),
  inputSchema: jsonSchemaObject.default({ type: "object", properties: {} }),
});

/** The contract actions a `crm` plugin must export (what a contact upsert needs); the others are optional. */
export const REQUIRED_CRM_ACTIONS = ["searchContacts", "createContact", "updateContact"] as const;

export const pluginManifestSchema = z.strictObject({
  id: z.string().regex(scopedName, "a scoped name like @acme/pricing"),
  version: z.string().refine((v) => semver.valid(v) === v, "a semver version like 1.2.3"),
  platform: z.string().refine((r) => semver.validRange(r) !== null, "a semver range like ^1.0.0"),
  kinds: z.array(z.enum(SANDBOXED_KINDS)).min(1),
  description: z.string().max(1000).default(""),
  category: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/).default("other"),
  /** JSON Schema of the per-tenant configuration (an object). */
  configSchema: jsonSchemaObject.default({ type: "object", properties: {} }),
  secrets: z.array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9_]*$/), description: z.string().max(300).optional() })).max(20).default([]),
  capabilities: z.array(capabilitySchema).max(50).default([]),
  nodeTypes: z.array(manifestNodeTypeSchema).max(20).default([]),
  tools: z.array(manifestToolSchema).max(20).default([]),
});
export type PluginManifest = z.infer<typeof pluginManifestSchema>;

function problem(message: string, field: string): ValidationError {
  return new ValidationError(`manifest.json: ${message}`, { field }, "MANIFEST_INVALID");
}

/** The JSON Schema as a zod schema; refused when it uses what we cannot check. */
export function schemaFromJson(schema: Record<string, unknown>, field: string): z.ZodType {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw problem(`${field} is not a JSON Schema we can check (${error instanceof Error ? error.message.slice(0, 160) : "unreadable"})`, field);
  }
}

/** Every check of publish that needs only the manifest. */
export function parseManifest(json: Buffer | string): PluginManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString());
  } catch {
    throw problem("is not JSON", "manifest");
  }
  const parsed = pluginManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "manifest";
    throw problem(`${field}: ${issue.message}`, field);
  }
  const manifest = parsed.data;
  if (!semver.satisfies(PLATFORM_API_VERSION, manifest.platform)) {
    throw new ValidationError(`${manifest.id} needs platform ${manifest.platform}; this platform is ${PLATFORM_API_VERSION}`, { field: "platform" }, "PLATFORM_INCOMPATIBLE");
  }
  const configType = manifest.configSchema.type;
  if (configType !== undefined && configType !== "object") throw problem("configSchema must describe an object", "configSchema");
  schemaFromJson(manifest.configSchema, "configSchema");
  duplicates(manifest.kinds, "kinds");
  duplicates(manifest.capabilities, "capabilities");
  duplicates(manifest.secrets.map((s) => s.name), "secrets");
  duplicates(manifest.nodeTypes.map((n) => n.type), "nodeTypes");
  duplicates(manifest.tools.map((t) => t.name), "tools");
  // A declared secret is reachable only through its capability, and a capability must name a declared secret.
  const declared = new Set(manifest.secrets.map((s) => s.name));
  for (const cap of manifest.capabilities) {
    if (cap.startsWith("secrets:") && !declared.has(cap.slice(8))) throw problem(`capability ${cap} names a secret not declared in secrets`, "capabilities");
  }
  for (const name of declared) if (!manifest.capabilities.includes(`secrets:${name}`)) throw problem(`secret ${name} is declared but capability secrets:${name} is not requested`, "secrets");
  if (manifest.kinds.includes("node-type") !== manifest.nodeTypes.length > 0) throw problem("kind node-type and a non-empty nodeTypes go together", "nodeTypes");
  if (manifest.kinds.includes("tool") !== manifest.tools.length > 0) throw problem("kind tool and a non-empty tools go together", "tools");
  manifest.tools.forEach((t, i) => {
    if (t.inputSchema.type !== undefined && t.inputSchema.type !== "object") throw problem(`tools.${i}.inputSchema must describe an object`, `tools.${i}.inputSchema`);
    schemaFromJson(t.inputSchema, `tools.${i}.inputSchema`);
  });
  manifest.nodeTypes.forEach((n, i) => {
    schemaFromJson(n.contentSchema, `nodeTypes.${i}.contentSchema`);
    duplicates(n.connections, `nodeTypes.${i}.connections`);
  });
  return manifest;
}

function duplicates(values: readonly string[], field: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw problem(`${field} lists ${value} twice`, field);
    seen.add(value);
  }
}
