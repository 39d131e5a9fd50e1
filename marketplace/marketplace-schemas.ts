/**
 * The marketplace's answers as the OpenAPI document shows them (and the console's typed client
 * reads them). Loose objects: a field may be added without breaking a client.
 */
import { z } from "zod";

const jsonSchema = z.record(z.string(), z.unknown());

export const capabilityInWordsView = z.looseObject({
  capability: z.string().describe("As the manifest asks for it, e.g. http:api.hubapi.com"),
  description: z.string().describe("What it lets the plugin do, in plain words, e.g. \"Send HTTP requests to api.hubapi.com\""),
});

export const pluginCardView = z.looseObject({
  id: z.string().describe("Scoped name, e.g. @acme/pricing"),
  publisher: z.string(),
  description: z.string(),
  category: z.string(),
  kinds: z.array(z.string()),
  latestVersion: z.string().nullable().describe("Newest version not withdrawn"),
  updatedAt: z.string(),
}).describe("A plugin of the catalog");

export const versionSummaryView = z.looseObject({
  version: z.string(),
  publishedAt: z.string(),
  yanked: z.boolean().describe("Withdrawn by its publisher: no new installs"),
  capabilities: z.array(z.string()),
  capabilityDescriptions: z.array(capabilityInWordsView),
});

const versionDetail = {
  version: z.string(),
  platform: z.string().describe("The platform API range it needs"),
  readme: z.string().describe("Markdown, as the publisher wrote it: render it without raw HTML"),
  changelog: z.string().describe("Markdown"),
  integrity: z.string().describe("sha512 of the package, as npm writes it"),
  publishedAt: z.string(),
  yanked: z.boolean(),
  signedBy: z.string().nullable().describe("Fingerprint of the key that signed it (also in signature.keyFingerprint)"),
  signature: z.looseObject({
    verified: z.boolean().describe("The signature verifies with a key the publisher holds now"),
    signedBy: z.string().describe("The publisher"),
    keyFingerprint: z.string().nullable().describe("sha256 of the signing key"),
  }),
  capabilities: z.array(z.string()).describe("What an install must grant, all of it"),
  capabilityDescriptions: z.array(capabilityInWordsView).describe("The capabilities in plain words, in the same order"),
  secrets: z.array(z.looseObject({ name: z.string(), description: z.string().optional() })).describe("Secrets it reads (values are given at install, never shown again)"),
  configSchema: jsonSchema.describe("JSON Schema of the tenant's configuration"),
  nodeTypes: z.array(z.looseObject({ type: z.string(), description: z.string().optional(), connections: z.array(z.string()), contentSchema: jsonSchema })),
  tools: z.array(z.looseObject({ name: z.string(), description: z.string(), inputSchema: jsonSchema })),
};

export const pluginVersionView = pluginCardView.extend(versionDetail).describe("A version of a catalog plugin, in full");

export const pluginDetailView = pluginVersionView.extend({
  versions: z.array(versionSummaryView).describe("Newest first"),
}).describe("A catalog plugin: its latest version in full (the newest one when every version was withdrawn), and all its versions");

export const installView = z.looseObject({
  plugin: z.string(),
  version: z.string(),
  previousVersion: z.string().nullable().describe("What a roll back returns to"),
  enabled: z.boolean(),
  grants: z.array(z.string()),
  config: z.record(z.string(), z.unknown()),
  secrets: z.array(z.string()).describe("Names of the secrets given a value; the values are never answered"),
  installedAt: z.string(),
  updatedAt: z.string(),
}).describe("A tenant's install of a catalog plugin");
