import semver from "semver";
import { z } from "zod";
import { PLATFORM_API_VERSION, manifestOf, pluginManifestSchema } from "../../sdk/define-plugin.ts";
import type { PluginModule } from "../../sdk/implement-plugin.ts";
import { PluginLoadCode, PluginLoadError } from "./plugin-load-error.ts";

export type LoadedPluginInfo = { id: string; version: string; nodeTypes: readonly string[] };

/**
 * The checks every plugin passes before any of its code runs on this node, in the spirit of
 * Fastify's registration checklist. Each failure is a PluginLoadError with its own code.
 */
export function checkPlugin(candidate: unknown, loaded: ReadonlyMap<string, LoadedPluginInfo>, options: { replacing?: boolean } = {}): PluginModule {
  const name = describeCandidate(candidate);
  if (!isPluginModule(candidate)) {
    throw new PluginLoadError(PluginLoadCode.invalidModule, name, "its entry must `export default implementPlugin(definition, handlers)`");
  }
  const { definition, implementation } = candidate;
  const schemas: [string, unknown][] = [["config", definition.config], ...(definition.nodeTypes ?? []).map((n) => [`node type ${n.type} content`, n.content] as [string, unknown])];
  for (const [what, schema] of schemas) {
    if (schema === undefined) continue;
    if (!(schema instanceof z.ZodType)) throw new PluginLoadError(PluginLoadCode.invalidSchema, name, `${what} must be a zod schema`);
    try {
      z.toJSONSchema(schema, { unrepresentable: "any" });
    } catch (error) {
      throw new PluginLoadError(PluginLoadCode.invalidSchema, name, `${what} cannot be described as JSON Schema (${(error as Error).message})`);
    }
  }
  // The same manifest schema and capability grammar as a marketplace package (plugin-manifest.ts).
  let described: unknown;
  try {
    described = manifestOf(definition);
  } catch (error) {
    // A definition not made by definePlugin (a hand-written object) may lack what manifestOf reads.
    throw new PluginLoadError(PluginLoadCode.invalidManifest, name, `its definition is not one definePlugin makes (${(error as Error).message})`);
  }
  const manifest = pluginManifestSchema.safeParse(described);
  if (!manifest.success) {
    const said = (i: z.core.$ZodIssue) => (i.code === "invalid_format" ? `must be ${i.message}` : i.message);
    throw new PluginLoadError(PluginLoadCode.invalidManifest, name, manifest.error.issues.map((i) => `${i.path.join(".") || "manifest"}: ${said(i)}`).join("; "));
  }
  if (!semver.valid(definition.version)) throw new PluginLoadError(PluginLoadCode.invalidManifest, name, `version "${definition.version}" is not semver`);
  if (!semver.validRange(definition.platform)) throw new PluginLoadError(PluginLoadCode.invalidManifest, name, `platform range "${definition.platform}" is not a semver range`);
  if (!semver.satisfies(PLATFORM_API_VERSION, definition.platform)) {
    throw new PluginLoadError(PluginLoadCode.platformMismatch, name, `it needs platform ${definition.platform}; this platform is ${PLATFORM_API_VERSION}`);
  }
  if (loaded.has(definition.id) && !options.replacing) {
    throw new PluginLoadError(PluginLoadCode.duplicate, name, `a plugin named ${definition.id} is already loaded (${loaded.get(definition.id)?.version}); replace it instead`);
  }
  for (const [dependency, range] of Object.entries(definition.dependencies ?? {})) {
    const present = loaded.get(dependency);
    if (!present || !semver.satisfies(present.version, range)) {
      throw new PluginLoadError(PluginLoadCode.dependencyMissing, name, `it needs ${dependency}@${range}${present ? `, but ${present.version} is loaded` : ", which is not loaded"}`);
    }
  }
  const declaredTypes = (definition.nodeTypes ?? []).map((n) => n.type);
  if (new Set(declaredTypes).size !== declaredTypes.length) throw new PluginLoadError(PluginLoadCode.invalidManifest, name, "it declares the same node type twice");
  for (const type of declaredTypes) {
    const owner = [...loaded.values()].find((p) => p.id !== definition.id && p.nodeTypes.includes(type));
    if (owner) throw new PluginLoadError(PluginLoadCode.nodeTypeTaken, name, `node type "${type}" is already provided by ${owner.id}`);
    if (typeof (implementation.nodeTypes as Record<string, { run?: unknown }> | undefined)?.[type]?.run !== "function") {
      throw new PluginLoadError(PluginLoadCode.handlerMissing, name, `node type "${type}" is declared but has no handler`);
    }
  }
  for (const action of Object.keys(definition.actions ?? {})) {
    if (typeof (implementation.actions as Record<string, unknown> | undefined)?.[action] !== "function") {
      throw new PluginLoadError(PluginLoadCode.handlerMissing, name, `action "${action}" is declared but has no handler`);
    }
  }
  for (const tool of Object.keys(definition.tools ?? {})) {
    if (typeof (implementation.tools as Record<string, unknown> | undefined)?.[tool] !== "function") {
      throw new PluginLoadError(PluginLoadCode.handlerMissing, name, `tool "${tool}" is declared but has no handler`);
    }
    if (Object.hasOwn(definition.actions ?? {}, tool)) throw new PluginLoadError(PluginLoadCode.invalidManifest, name, `"${tool}" is both an action and a tool`);
  }
  return candidate;
}

function isPluginModule(value: unknown): value is PluginModule {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.definition === "object" && v.definition !== null && typeof v.implementation === "object" && v.implementation !== null;
}

function describeCandidate(value: unknown): string {
  const id = (value as { definition?: { id?: unknown } } | null)?.definition?.id;
  return typeof id === "string" ? id : "(unnamed)";
}
