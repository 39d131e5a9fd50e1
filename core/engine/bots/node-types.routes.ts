import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";

const nodeTypeView = z.object({
  type: z.string(),
  plugin: z.string(),
  pluginVersion: z.string(),
  description: z.string().nullable(),
  connections: z.union([z.array(z.string()), z.literal("any")]).describe("connection names a node of this type may follow; `any`: free-form (e.g. choice values)"),
  waitsForInput: z.boolean(),
  contentSchema: z.record(z.string(), z.unknown()).describe("JSON Schema of the node's content (input form), generated from the type's zod schema"),
});

/**
 * The node types a tenant's flows may use: the node's first-party types and the tenant's enabled
 * marketplace installs. The console builds each node's form from `contentSchema`, so a marketplace
 * type needs no console code.
 */
export const nodeTypeRoutes: RouteModule = (app, { broker }) => {
  app.get("/v1/admin/node-types", {
    config: { auth: "tenant-admin" },
    schema: { tags: ["bots"], summary: "List the node types this tenant's flows may use, with their content JSON Schemas", response: { 200: z.object({ nodeTypes: z.array(nodeTypeView) }) } },
  }, async (request) => ({ nodeTypes: await broker.call<z.infer<typeof nodeTypeView>[], object>("bots.nodeTypes", { tenantId: requireTenant(request).tenantId }) }));
};
