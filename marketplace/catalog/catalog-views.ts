/** What the catalog shows of its rows (never the bundle source or file paths). */
import type { PluginRow, VersionRow } from "./catalog-store.ts";

export function pluginView(row: PluginRow & { publisher_name: string }) {
  return {
    id: row.id, publisher: row.publisher_name, description: row.description, category: row.category, kinds: row.kinds,
    latestVersion: row.latest_version, updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function versionView(row: VersionRow) {
  const m = row.manifest;
  return {
    version: row.version, platform: m.platform, readme: row.readme, changelog: row.changelog, integrity: row.integrity,
    signedBy: row.key_fingerprint, capabilities: m.capabilities, secrets: m.secrets, configSchema: m.configSchema,
    nodeTypes: m.nodeTypes.map((n) => ({ type: n.type, description: n.description, connections: n.connections, contentSchema: n.contentSchema })),
    tools: (m.tools ?? []).map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
  };
}
