import { z } from "zod";
import type { RouteModule } from "../gateway/gateway-app.ts";
import { requireTenant } from "../gateway/route-auth.ts";
import { noContent } from "../gateway/openapi.ts";
import { allowedHostsSchema } from "./secret-hosts.ts";
import type { SecretView } from "./secrets.service.ts";

const name = z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, "lower-case letters, digits and _, starting with a letter") });
const secretView = z.looseObject({ name: z.string(), allowedHosts: z.array(z.string()).describe("Where the secret may be sent"), updatedAt: z.string() });

/** Tenant secrets: written and listed by name with the hosts they may go to; the values never come back out. */
export const secretRoutes: RouteModule = (app, { broker }) => {
  const tags = ["secrets"];
  const auth = { auth: "tenant-admin" as const };

  app.put("/v1/admin/secrets/:name", {
    config: auth,
    schema: {
      tags, params: name,
      summary: "Store a secret for flows to use as {{secret:name}} in headers and bodies sent to its allowed hosts",
      body: z.strictObject({
        value: z.string().min(1).max(16_384),
        allowedHosts: allowedHostsSchema.optional().describe("Where the secret may be sent; kept as it was when left out (a rotation). A new secret without hosts can be sent nowhere until hosts are added"),
      }),
      response: { 200: z.looseObject({ name: z.string() }) },
    },
  }, async (request) => broker.call("secrets.set", { tenantId: requireTenant(request).tenantId, name: request.params.name, value: request.body.value, allowedHosts: request.body.allowedHosts }));

  app.patch("/v1/admin/secrets/:name", {
    config: auth,
    schema: {
      tags, params: name, summary: "Set the hosts a secret may be sent to (its value stays)",
      body: z.strictObject({ allowedHosts: allowedHostsSchema }),
      response: { 200: secretView },
    },
  }, async (request) => broker.call<SecretView, object>("secrets.allow", { tenantId: requireTenant(request).tenantId, name: request.params.name, allowedHosts: request.body.allowedHosts }));

  app.get("/v1/admin/secrets", { config: auth, schema: { tags, summary: "The tenant's secrets by name with their allowed hosts (never their values)", response: { 200: z.object({ secrets: z.array(secretView) }) } } }, async (request) => ({ secrets: await broker.call<SecretView[], object>("secrets.list", { tenantId: requireTenant(request).tenantId }) }));

  app.delete("/v1/admin/secrets/:name", { config: auth, schema: { tags, params: name, summary: "Delete a secret", response: { 204: noContent("Deleted") } } }, async (request, reply) => {
    await broker.call("secrets.remove", { tenantId: requireTenant(request).tenantId, name: request.params.name });
    return reply.code(204).send();
  });
};
