import { PlatformError } from "../../sdk/platform-error.ts";

/** Why a plugin did not load. Only that plugin fails; the node keeps running. */
export const PluginLoadCode = {
  importFailed: "PLUGIN_IMPORT_FAILED",
  invalidModule: "PLUGIN_INVALID_MODULE",
  invalidManifest: "PLUGIN_INVALID_MANIFEST",
  platformMismatch: "PLUGIN_PLATFORM_MISMATCH",
  duplicate: "PLUGIN_DUPLICATE",
  dependencyMissing: "PLUGIN_DEPENDENCY_MISSING",
  nodeTypeTaken: "PLUGIN_NODE_TYPE_TAKEN",
  handlerMissing: "PLUGIN_HANDLER_MISSING",
  invalidSchema: "PLUGIN_INVALID_SCHEMA",
  startFailed: "PLUGIN_START_FAILED",
  notLoaded: "PLUGIN_NOT_LOADED",
} as const;
export type PluginLoadCode = (typeof PluginLoadCode)[keyof typeof PluginLoadCode];

export class PluginLoadError extends PlatformError {
  constructor(code: PluginLoadCode, plugin: string, problem: string) {
    super(code, `Plugin ${plugin} did not load: ${problem}`, { status: code === PluginLoadCode.notLoaded ? 404 : 422, kind: "user", data: { plugin } });
    this.name = "PluginLoadError";
  }
}
