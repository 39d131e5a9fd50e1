/**
 * A plugin's own key-value storage for one tenant (capability `kv`): JSON values under string
 * keys, kept apart from every other plugin's keys, removed when the tenant uninstalls the plugin.
 */
export type PluginKv = {
  get<T = unknown>(key: string): Promise<T | null>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Keys starting with `prefix` (all when omitted). */
  list(prefix?: string): Promise<string[]>;
};
