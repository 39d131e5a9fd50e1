import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PluginLoadCode, PluginLoadError } from "./plugin-load-error.ts";

/** A plugin folder's entry: first-party folders have an index; `bp-plugin init` writes plugin.ts. */
const ENTRY_FILES = ["index.ts", "index.js", "index.mjs", "plugin.ts", "plugin.js"];

/**
 * Where a plugin's code comes from: a folder or file path (first-party folders, an operator's own
 * code) or an npm package name. Paths are imported with a fresh URL each time, so replacing a
 * plugin at run time picks up its new code instead of Node's cached module.
 */
export async function importPluginSource(source: string, root: string): Promise<unknown> {
  const isPath = source.startsWith(".") || isAbsolute(source);
  let specifier = source;
  if (isPath) {
    const path = resolve(root, source);
    const entry = statSync(path, { throwIfNoEntry: false })?.isDirectory() ? ENTRY_FILES.map((f) => join(path, f)).find(existsSync) : path;
    if (!entry || !existsSync(entry)) throw new PluginLoadError(PluginLoadCode.importFailed, source, `no ${ENTRY_FILES.join(", ")} found there`);
    specifier = `${pathToFileURL(entry).href}?load=${Date.now()}-${Math.random().toString(36).slice(2)}`;
  }
  try {
    const module = (await import(specifier)) as { default?: unknown };
    return module.default;
  } catch (error) {
    throw new PluginLoadError(PluginLoadCode.importFailed, source, (error as Error).message);
  }
}

/** First-party plugin folders: every folder under the given roots that has an entry file. */
export function discoverPluginFolders(root: string, folders: readonly string[]): string[] {
  const found: string[] = [];
  for (const folder of folders) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory() && ENTRY_FILES.some((f) => existsSync(join(path, f)))) found.push(`./${folder}/${name}`);
    }
  }
  return found;
}
