/**
 * The manifest of a marketplace package: the one manifest schema of the SDK
 * (core/sdk/plugin-manifest.ts), derived by `bp-plugin pack` from the plugin's `definePlugin`
 * file, plus the checks a tenant-installed plugin must pass: kinds the sandbox can run, secrets
 * tied to their capabilities, JSON Schemas we can check. Checked at publish, and read by the
 * catalog, the install form and the flow validator.
 */
import semver from "semver";
import { z } from "zod";
import { PLATFORM_API_VERSION } from "../../core/sdk/index.ts";
import { isCapabilityProblem, parseCapability } from "../../core/sdk/capability.ts";
import { pluginManifestSchema, SANDBOXED_KINDS, type PluginManifest } from "../../core/sdk/plugin-manifest.ts";
import { ValidationError } from "../../core/sdk/platform-error.ts";

export { pluginManifestSchema, SANDBOXED_KINDS, type PluginManifest };

/**
 * One capability in the grammar of core/sdk/capability.ts, refused with the exact mistake
 * (`http:` with a port that is not a number, a secret name outside a-z0-9_, an unknown kind).
 * A manifest may also ask for `http:*`: hosts the tenant names at install (a generic REST
 * connector cannot know its customer's API host). The tenant then grants `http:<its host>`;
 * `http:*` itself is never granted (see checkGrants).
 */
export const capabilitySchema = z.string().superRefine((text, ctx) => {
  const parsed = parseCapability(text);
  if (isCapabilityProblem(parsed)) ctx.addIssue({ code: "custom", message: `${parsed.capability}: ${parsed.reason}` });
});

/** Whether a grant answers one of the manifest's requests: itself, or a concrete host for `http:*`. */
export function grantRequested(capabilities: readonly string[], grant: string): boolean {
  if (capabilities.includes(grant)) return grant !== "http:*";
  return grant.startsWith("http:") && grant !== "http:*" && capabilities.includes("http:*");
}

/** The contract actions a `crm` plugin must implement (what a contact upsert needs); the others are optional. */
export const REQUIRED_CRM_ACTIONS = ["searchContacts", "createContact", "updateContact"] as const;

function problem(message: string, field: string): ValidationError {
  return new ValidationError("MANIFEST_INVALID", `manifest.json: ${message}`, { field });
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
  if (!semver.valid(manifest.version)) throw problem("version: a semver version like 1.2.3", "version");
  if (semver.validRange(manifest.platform) === null) throw problem("platform: a semver range like ^1.0.0", "platform");
  const trusted = manifest.kinds.filter((k) => !(SANDBOXED_KINDS as readonly string[]).includes(k));
  if (trusted.length > 0) throw problem(`kinds: ${trusted.join(", ")} cannot run in the sandbox (a marketplace plugin is one of ${SANDBOXED_KINDS.join(", ")}); the operator installs it in process instead`, "kinds");
  if (manifest.nodeTypes.some((n) => n.anyConnection)) throw problem("nodeTypes: a marketplace node type lists its connections by name", "nodeTypes");
  if (!semver.satisfies(PLATFORM_API_VERSION, manifest.platform)) {
    throw new ValidationError("PLATFORM_INCOMPATIBLE", `${manifest.id} needs platform ${manifest.platform}; this platform is ${PLATFORM_API_VERSION}`, { field: "platform" });
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
