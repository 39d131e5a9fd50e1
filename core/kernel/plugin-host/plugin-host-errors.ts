/** The plugin host's error codes once plugins are loaded (load failures: `PluginLoadCode`). */
export const PluginHostErrorCode = {
  /** Another loaded plugin depends on the one being removed. */
  inUse: "PLUGIN_IN_USE",
  /** A plugin's action threw something that is not a platform error. */
  actionFailed: "PLUGIN_ACTION_FAILED",
} as const;
