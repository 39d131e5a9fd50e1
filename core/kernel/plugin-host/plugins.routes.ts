import { z } from "zod";
import type { RouteModule } from "../gateway/gateway-app.ts";
import { requirePrincipal } from "../gateway/route-auth.ts";
import { apiError, noContent } from "../gateway/openapi.ts";

const loadedPlugin = z.looseObject({ id: z.string(), version: z.string(), kinds: z.array(z.string()), source: z.string().optional(), loadedAt: z.string().optional() }).describe("A plugin loaded on the platform");
// Served by the marketplace's installs service (marketplace/marketplace-schemas.ts describes the same answer; core may not import it).
const tenantInstall = z.looseObject({
  plugin: z.string(), version: z.string(), previousVersion: z.string().nullable(), enabled: z.boolean(), grants: z.array(z.string()),
  config: z.record(z.string(), z.unknown()), secrets: z.array(z.string()).describe("Names of the secrets given a value; values are never answered"),
}).describe("A marketplace install of the tenant");

/** Plugins loaded on the platform; the operator loads, replaces and unloads them at run time. */
export const pluginRoutes: RouteModule = (app, { broker }) => {
  const tags = ["plugins"];

  // A tenant admin also sees what it installed from the marketplace; the operator sees the node's plugins.
  app.get("/v1/admin/plugins", { config: { auth: "operator-or-admin" }, schema: { tags, summary: "Plugins loaded on the platform, and the tenant's marketplace installs",
      response: {
        200: z.object({
          plugins: z.array(loadedPlugin),
          installed: z.array(tenantInstall).optional().describe("The tenant's marketplace installs (tenant keys and members only)"),
        }),
      },
    } },
    async (request) => {
      const principal = requirePrincipal(request);
      const plugins = await broker.call<z.infer<typeof loadedPlugin>[]>("plugins.list");
      if (!("tenantId" in principal)) return { plugins };
      return { plugins, installed: await broker.call<z.infer<typeof tenantInstall>[], object>("marketplaceInstalls.list", { tenantId: principal.tenantId }) };
    });

  app.post("/v1/operator/plugins", {
    config: { auth: "operator" },
    schema: { tags, summary: "Load or replace a plugin on every node, without a restart", body: z.strictObject({ source: z.string().min(1).max(500) }), response: { 201: loadedPlugin, 422: apiError("The plugin did not load (PLUGIN_IMPORT_FAILED, PLUGIN_INVALID_MANIFEST…): the message says why") } },
  }, async (request, reply) => reply.code(201).send(await broker.call("plugins.load", request.body)));

  app.delete("/v1/operator/plugins/:scope/:name", {
    config: { auth: "operator" },
    schema: { tags, summary: "Unload a plugin from every node", params: z.strictObject({ scope: z.string().regex(/^@[a-z0-9-._]+$/), name: z.string().regex(/^[a-z0-9-._]+$/) }), response: { 204: noContent("Unloaded") } },
  }, async (request, reply) => {
    await broker.call("plugins.unload", { id: `${request.params.scope}/${request.params.name}` });
    return reply.code(204).send();
  });
};
