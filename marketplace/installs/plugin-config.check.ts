/**
 * A tenant's plugin configuration against the manifest's JSON Schema (converted with
 * `z.fromJSONSchema`), refused with a 400 that names the first field in the wrong.
 */
import { ValidationError } from "../../core/sdk/platform-error.ts";
import { grantRequested, schemaFromJson, type PluginManifest } from "../package/plugin-manifest.schema.ts";

export function checkPluginConfig(manifest: PluginManifest, config: unknown): Record<string, unknown> {
  const parsed = schemaFromJson(manifest.configSchema, "configSchema").safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || (issue.code === "unrecognized_keys" ? String((issue as { keys?: string[] }).keys?.[0] ?? "config") : "config");
    throw new ValidationError("CONFIG_INVALID", `config.${field}: ${issue.message}`, { field: `config.${field}` });
  }
  return parsed.data as Record<string, unknown>;
}

/** Grants a tenant gives must be among what the version asks for (a concrete host answers `http:*`). */
export function checkGrants(manifest: PluginManifest, grants: readonly string[]): void {
  if (grants.includes("http:*")) {
    throw new ValidationError("GRANTS_NOT_REQUESTED", `${manifest.id} asks for hosts you choose: grant each one as http:<host>, never http:*`, { field: "grants" });
  }
  const extra = grants.filter((g) => !grantRequested(manifest.capabilities, g));
  if (extra.length > 0) {
    throw new ValidationError("GRANTS_NOT_REQUESTED", `${manifest.id}@${manifest.version} does not ask for ${extra.join(", ")}; it asks for ${manifest.capabilities.join(", ") || "nothing"}`, { field: "grants", extra });
  }
}

/**
 * An install runs only with everything its version asks for: a tenant consents to the whole list
 * or does not install (a plugin that finds a capability missing fails each call at run time, which
 * the tenant would only learn from its end users). `http:*` is answered by at least one host.
 */
export function checkGrantsComplete(manifest: PluginManifest, grants: readonly string[]): void {
  const missing = manifest.capabilities.filter((c) => (c === "http:*" ? !grants.some((g) => g.startsWith("http:")) : !grants.includes(c)));
  if (missing.length === 0) return;
  const named = missing.map((c) => (c === "http:*" ? "http:<a host you choose>" : c)).join(", ");
  throw new ValidationError("GRANTS_MISSING", `${manifest.id}@${manifest.version} needs ${named}; grant everything it asks for, or do not install it`, { field: "grants", capabilities: missing });
}

/**
 * Secrets supplied must be declared, and reachable: a secret's value is read by the plugin only
 * through its `secrets:<name>` capability, so a value given without that grant would install and
 * then fail every call. Values are never echoed in the message.
 */
export function checkSecrets(manifest: PluginManifest, secrets: Readonly<Record<string, string>>, grants: readonly string[]): void {
  const declared = new Set(manifest.secrets.map((s) => s.name));
  const unknown = Object.keys(secrets).filter((name) => !declared.has(name));
  if (unknown.length > 0) throw new ValidationError("SECRET_NOT_DECLARED", `${manifest.id} declares no secret ${unknown.join(", ")}`, { field: "secrets", names: unknown });
  const ungranted = Object.keys(secrets).filter((name) => !grants.includes(`secrets:${name}`));
  if (ungranted.length > 0) {
    const add = ungranted.map((name) => `"secrets:${name}"`).join(", ");
    throw new ValidationError("SECRET_NOT_GRANTED", `The secret${ungranted.length > 1 ? "s" : ""} ${ungranted.join(", ")} ${ungranted.length > 1 ? "are" : "is"} given a value but not granted: add ${add} to grants, or ${manifest.id} cannot use ${ungranted.length > 1 ? "them" : "it"}`, { field: "grants", capabilities: ungranted.map((name) => `secrets:${name}`) }
    );
  }
}
