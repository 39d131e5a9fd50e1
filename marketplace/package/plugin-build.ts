/**
 * `bp-plugin pack` for a plugin folder: from its `definePlugin` file (`plugin.ts`) to the two
 * files a package holds, the manifest and the bundle.
 *
 * - The manifest is derived from the definition (`manifestOf`): the module is imported, which
 *   builds the definition and binds the handlers but runs none of them.
 * - The bundle is one ESM file made by esbuild, with an inline source map (the host maps a
 *   handler's failure back to `plugin.ts:line:column`, see runtime/plugin-failure.ts). The SDK is
 *   bundled in; zod is replaced by a stand-in (sandbox-zod.ts): the host validates against the
 *   manifest's JSON Schemas before a handler runs, so the sandbox never needs the real one.
 *
 * Integrators import the SDK as `bp-plugin/sdk` (resolved by the CLI); plugins inside this
 * repository may import core/sdk/index.ts by path. Both end up as the same bundled module.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { manifestOf, type PluginDefinition } from "../../core/sdk/define-plugin.ts";
import { PayloadTooLargeError, ValidationError } from "../../core/sdk/platform-error.ts";
import { parseManifest, type PluginManifest } from "./plugin-manifest.schema.ts";
import { MAX_BUNDLE_BYTES, packFolder } from "./plugin-package.ts";
import { PLUGIN_BINDING } from "../runtime/sandboxed-bundle.ts";

/** The names a plugin folder's `definePlugin` file may have. */
export const PLUGIN_ENTRY_FILES = ["plugin.ts", "plugin.mts", "plugin.js", "plugin.mjs"] as const;
export const SDK_SPECIFIER = "bp-plugin/sdk";

const sdkIndex = new URL("../../core/sdk/index.ts", import.meta.url).pathname;
const zodStandIn = new URL("./sandbox-zod.ts", import.meta.url).pathname;

export type BuiltPlugin = { manifest: PluginManifest; bundle: string; entry: string };

/** The `definePlugin` file of a folder, or undefined when it holds none (a first-format package folder). */
export function pluginEntryOf(dir: string): string | undefined {
  const name = PLUGIN_ENTRY_FILES.find((file) => existsSync(join(dir, file)));
  return name ? join(resolve(dir), name) : undefined;
}

/** Reads the definition of a `definePlugin` file without running any handler. */
export async function readDefinition(entry: string): Promise<PluginDefinition> {
  let module: { default?: { definition?: unknown; implementation?: unknown } };
  try {
    module = (await import(`${pathToFileURL(entry).href}?at=${Date.now()}`)) as typeof module;
  } catch (error) {
    throw new ValidationError("PLUGIN_ENTRY_INVALID", `${entry} does not load: ${(error as Error).message.split("\n")[0]!.slice(0, 300)}`, { file: entry });
  }
  const plugin = module.default;
  if (!plugin || typeof plugin.definition !== "object" || plugin.definition === null || typeof plugin.implementation !== "object") {
    throw new ValidationError("PLUGIN_ENTRY_INVALID", `${entry} must \`export default implementPlugin(definition, handlers)\``, { file: entry });
  }
  return plugin.definition as PluginDefinition;
}

/** The manifest a definition packs to, checked as the catalog will check it. */
export function manifestFromDefinition(definition: PluginDefinition): PluginManifest {
  let manifest: PluginManifest;
  try {
    manifest = manifestOf(definition);
  } catch (error) {
    throw new ValidationError("MANIFEST_INVALID", `${definition.id}: a schema cannot be written as JSON Schema (${(error as Error).message.slice(0, 200)})`);
  }
  return parseManifest(JSON.stringify(manifest));
}

/** Bundles the entry for the sandbox: one ESM file exporting the plugin module, with an inline source map. */
export async function bundlePlugin(entry: string): Promise<string> {
  const dir = resolve(entry, "..");
  const result = await build({
    stdin: { contents: `import plugin from ${JSON.stringify(entry)};\nexport const ${PLUGIN_BINDING} = plugin;\n`, resolveDir: dir, sourcefile: "bp-plugin-entry.js", loader: "js" },
    bundle: true, format: "esm", platform: "neutral", target: "es2023", write: false, outfile: join(dir, "bundle.mjs"), absWorkingDir: dir,
    sourcemap: "inline", sourcesContent: false, minifyWhitespace: true, minifySyntax: true, legalComments: "none", logLevel: "silent",
    alias: { zod: zodStandIn, [SDK_SPECIFIER]: sdkIndex },
    // "neutral" reads no package.json entry point by default; the SDK's own dependencies (cockatiel)
    // declare only `main`. What a plugin does not use is shaken out (they declare no side effects).
    mainFields: ["module", "main"],
  }).catch((error: { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }) => {
    const first = error.errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line}:${first.location.column + 1})` : "";
    throw new ValidationError("PLUGIN_BUNDLE_FAILED", `The plugin does not bundle: ${first?.text ?? String(error)}${where}`, { file: entry });
  });
  const bundle = result.outputFiles[0]!.text;
  if (Buffer.byteLength(bundle) > MAX_BUNDLE_BYTES) throw new PayloadTooLargeError("PACKAGE_TOO_LARGE", `The bundle is ${Buffer.byteLength(bundle)} bytes; the sandbox takes at most ${MAX_BUNDLE_BYTES}`);
  return bundle;
}

/** Manifest and bundle of a plugin folder's `definePlugin` file. */
export async function buildPlugin(dir: string): Promise<BuiltPlugin> {
  const entry = pluginEntryOf(dir);
  if (!entry) {
    throw new ValidationError("PLUGIN_ENTRY_MISSING", `${dir} has no ${PLUGIN_ENTRY_FILES.join(" or ")}: a plugin is one definePlugin file (bp-plugin init --kind node-type|crm|tool writes one)`, { dir });
  }
  const manifest = manifestFromDefinition(await readDefinition(entry));
  return { manifest, bundle: await bundlePlugin(entry), entry };
}

/** The package (.tgz) of a plugin folder: manifest.json and bundle.mjs built from its definePlugin file, with its README, CHANGELOG and icon. */
export async function packPlugin(dir: string): Promise<{ bytes: Buffer; manifest: PluginManifest }> {
  const { manifest, bundle } = await buildPlugin(dir);
  const staging = mkdtempSync(join(tmpdir(), "bp-pack-"));
  try {
    writeFileSync(join(staging, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    writeFileSync(join(staging, "bundle.mjs"), bundle);
    for (const file of ["README.md", "CHANGELOG.md", "icon.svg", "icon.png"]) {
      if (existsSync(join(dir, file))) copyFileSync(join(dir, file), join(staging, file));
    }
    return { bytes: await packFolder(staging), manifest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Refuses a folder in the first package format (hand-written manifest.json and bundle.mjs): the
 * CLI makes only packages from a definePlugin file. Packages of the first format already
 * published keep running (the host adapts their handlers, see runtime/sandboxed-bundle.ts).
 */
export function refuseFirstFormat(dir: string): void {
  if (pluginEntryOf(dir)) return;
  if (existsSync(join(dir, "manifest.json")) || existsSync(join(dir, "bundle.mjs"))) {
    throw new ValidationError("PACKAGE_FORMAT_OUTDATED", `${dir} holds a package of the first format (manifest.json + bundle.mjs), which bp-plugin no longer builds. ` +
      `Move the handlers into one definePlugin file, plugin.ts (bp-plugin init --kind <kind> shows one), delete manifest.json and bundle.mjs, and run bp-plugin pack again: the manifest is derived from the definition.`, { dir }
    );
  }
}
