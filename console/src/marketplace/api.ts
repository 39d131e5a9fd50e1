/**
 * The marketplace as the API serves it: the public catalog (`/v1/marketplace/plugins…`) and the
 * tenant's installs (`/v1/admin/plugins…`, admin only for changes; the API refuses the others).
 */
import { api, unwrap, type paths } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type CatalogQuery = NonNullable<paths["/v1/marketplace/plugins"]["get"]["parameters"]["query"]>;
export type CatalogPage = Answer<"/v1/marketplace/plugins", "get">;
export type PluginCard = CatalogPage["plugins"][number];
export type PluginDetail = Answer<"/v1/marketplace/plugins/{scope}/{name}", "get">;
export type PluginVersion = Answer<"/v1/marketplace/plugins/{scope}/{name}/versions/{version}", "get">;
export type VersionSummary = PluginDetail["versions"][number];
export type CapabilityInWords = PluginDetail["capabilityDescriptions"][number];
export type Install = NonNullable<Answer<"/v1/admin/plugins", "get">["installed"]>[number];
type InstallBody = NonNullable<paths["/v1/admin/plugins"]["post"]["requestBody"]>["content"]["application/json"];
type UpdateBody = NonNullable<paths["/v1/admin/plugins/{scope}/{name}"]["patch"]["requestBody"]>["content"]["application/json"];

/** `@acme/order-status` → the path parameters of the catalog's and the installs' routes. */
export function pluginPath(id: string): { scope: string; name: string } {
  const [scope = "", name = ""] = id.split("/");
  return { scope, name };
}

export const marketplaceApi = {
  search: (query: CatalogQuery) => unwrap(api.GET("/v1/marketplace/plugins", { params: { query } })),
  plugin: (id: string) => unwrap(api.GET("/v1/marketplace/plugins/{scope}/{name}", { params: { path: pluginPath(id) } })),
  version: (id: string, version: string) => unwrap(api.GET("/v1/marketplace/plugins/{scope}/{name}/versions/{version}", { params: { path: { ...pluginPath(id), version } } })),
  installs: async () => (await unwrap(api.GET("/v1/admin/plugins"))).installed ?? [],
  install: (body: InstallBody) => unwrap(api.POST("/v1/admin/plugins", { body })),
  update: (id: string, body: UpdateBody) => unwrap(api.PATCH("/v1/admin/plugins/{scope}/{name}", { params: { path: pluginPath(id) }, body })),
  uninstall: async (id: string) => { await unwrap(api.DELETE("/v1/admin/plugins/{scope}/{name}", { params: { path: pluginPath(id) } })); },
};

export const marketplaceKeys = {
  catalog: (query: CatalogQuery) => ["marketplace", "catalog", query] as const,
  plugin: (id: string) => ["marketplace", "plugin", id] as const,
  version: (id: string, version: string) => ["marketplace", "plugin", id, version] as const,
  installs: ["marketplace", "installs"] as const,
};
