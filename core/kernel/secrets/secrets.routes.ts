import { z } from "zod";
import type { RouteModule } from "../gateway/gateway-app.ts";
import { requireTenant } from "../gateway/route-auth.ts";
import { noContent } from "../gateway/openapi.ts";

const name = z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, "lower-case letters, digits and _, starting with a letter") });

/** Tenant secrets: written and listed by name; the values never come back out. */
export const secretRoutes: RouteModule = (app, { broker }) => {
  const tags = ["secrets"];
  const auth = { auth: "tenant-admin" as const };

  app.put("/v1/admin/secrets/:name", {
    config: auth,
    schema: { tags, params: name, summary: "Store a secret for flows to use as {{secret:name}}", body: z.strictObject({ value: z.string().min(1).max(16_384) }), response: { 200: z.looseObject({ name: z.string() }) } },
  }, async (request) => broker.call("secrets.set", { tenantId: requireTenant(request).tenantId, name: request.params.name, value: request.body.value }));

  app.get("/v1/admin/secrets", { config: auth, schema: { tags, summary: "The tenant's secrets by name (never their values)", response: { 200: z.object({ secrets: z.array(z.looseObject({ name: z.string(), updatedAt: z.string() })) }) } } }, async (request) => ({ secrets: await broker.call<{ name: string; updatedAt: string }[], object>("secrets.list", { tenantId: requireTenant(request).tenantId }) }));

  app.delete("/v1/admin/secrets/:name", { config: auth, schema: { tags, params: name, summary: "Delete a secret", response: { 204: noContent("Deleted") } } }, async (request, reply) => {
    await broker.call("secrets.remove", { tenantId: requireTenant(request).tenantId, name: request.params.name });
    return reply.code(204).send();
  });
};
