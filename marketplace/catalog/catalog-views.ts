/** What the catalog shows of its rows (never the bundle source or file paths). */
import { capabilitiesInWords } from "../../core/sdk/capability-words.ts";
import type { PluginRow, VersionRow } from "./catalog-store.ts";

export function pluginView(row: PluginRow & { publisher_name: string }) {
  return {
    id: row.id, publisher: row.publisher_name, description: row.description, category: row.category, kinds: row.kinds,
    latestVersion: row.latest_version, updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Whether the version's signature verifies with a key its publisher holds now, and which key signed it. */
export type SignatureView = { verified: boolean; signedBy: string; keyFingerprint: string | null };

export function versionView(row: VersionRow, signature: SignatureView) {
  const m = row.manifest;
  return {
    version: row.version, platform: m.platform, readme: row.readme, changelog: row.changelog, integrity: row.integrity,
    publishedAt: new Date(row.created_at).toISOString(), yanked: row.yanked_at !== null,
    signedBy: row.key_fingerprint, signature,
    capabilities: m.capabilities, capabilityDescriptions: capabilitiesInWords(m.capabilities),
    secrets: m.secrets, configSchema: m.configSchema,
    nodeTypes: m.nodeTypes.map((n) => ({ type: n.type, description: n.description, connections: n.connections, contentSchema: n.contentSchema })),
    tools: (m.tools ?? []).map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
  };
}

/** A line of a plugin's version list: enough to decide an upgrade (and whether it asks for more). */
export function versionSummary(row: VersionRow) {
  return {
    version: row.version, publishedAt: new Date(row.created_at).toISOString(), yanked: row.yanked_at !== null,
    capabilities: row.manifest.capabilities, capabilityDescriptions: capabilitiesInWords(row.manifest.capabilities),
  };
}
