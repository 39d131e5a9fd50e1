import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { exampleOf, fieldsOf, nodeTypeReferencePage, type NodeTypeEntry } from "./node-type-reference.ts";

const nodeTypeField = z.object({
  path: z.string().describe("dotted; `[]` marks an array's items (`messages[].text`)"),
  type: z.string(),
  required: z.boolean(),
  description: z.string().nullable(),
  default: z.unknown().optional(),
  allowed: z.array(z.unknown()).optional(),
  limits: z.string().optional(),
});

const nodeTypeView = z.object({
  type: z.string(),
  plugin: z.string(),
  pluginVersion: z.string(),
  description: z.string().nullable(),
  connections: z.union([z.array(z.string()), z.literal("any")]).describe("connection names a node of this type may follow; `any`: free-form (e.g. choice values)"),
  waitsForInput: z.boolean(),
  contentSchema: z.record(z.string(), z.unknown()).describe("JSON Schema of the node's content (input form), generated from the type's zod schema"),
  fields: z.array(nodeTypeField).describe("The content's fields, for a reference: the same schema, flattened"),
  example: z.unknown().describe("The smallest content that passes the schema"),
});

type NodeTypeView = Omit<z.infer<typeof nodeTypeView>, "fields" | "example">;

const withReference = (t: NodeTypeView) => ({ ...t, fields: fieldsOf(t.contentSchema), example: exampleOf(t.contentSchema) });

/**
 * The node types a tenant's flows may use: the node's first-party types and the tenant's enabled
 * marketplace installs. The console builds each node's form from `contentSchema`, so a marketplace
 * type needs no console code; `fields` and `example` make its reference page. `/docs/node-types`
 * is the same reference, for the platform's own types, as a page beside the API docs.
 */
export const nodeTypeRoutes: RouteModule = (app, { broker }) => {
  app.get("/v1/admin/node-types", {
    config: { auth: "tenant-admin" },
    schema: { tags: ["bots"], security: [{ bearer: [] }], summary: "List the node types this tenant's flows may use, with their content JSON Schemas and a field reference", response: { 200: z.object({ nodeTypes: z.array(nodeTypeView) }) } },
  }, async (request) => ({ nodeTypes: (await broker.call<NodeTypeView[], object>("bots.nodeTypes", { tenantId: requireTenant(request).tenantId })).map(withReference) }));

  app.get("/docs/node-types", { schema: { hide: true } }, async (_request, reply) => {
    const types = await broker.call<NodeTypeEntry[], object>("bots.nodeTypes", {});
    return reply.type("text/html; charset=utf-8").header("cache-control", "public, max-age=300").send(nodeTypeReferencePage(types));
  });
};
