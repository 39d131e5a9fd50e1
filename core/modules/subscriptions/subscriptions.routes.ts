import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { MAX_ROTATION_OVERLAP_SECONDS } from "./subscriptions.service.ts";

const webhookParams = z.strictObject({ id: z.uuid() });
const deliveryParams = z.strictObject({ id: z.uuid(), deliveryId: z.uuid() });
const url = z.string().max(2048).refine((v) => /^https?:\/\//i.test(v), "must be an http:// or https:// URL");
// Names are checked by the service (400 WEBHOOK_UNKNOWN_EVENT, listing the allowed ones).
const events = z.array(z.string().min(1).max(100)).min(1).max(20).describe('Event names (conversation.session.started, ...), or ["*"] for all');

/** Event subscriptions (webhooks) of the tenant, and their delivery log. */
export const subscriptionRoutes: RouteModule = (app, { broker }) => {
  const tags = ["webhooks"];
  const security = [{ bearer: [] }];
  const auth = { auth: "tenant-admin" as const };

  app.post("/v1/admin/webhooks", {
    config: auth,
    schema: {
      tags, security,
      summary: "Subscribe a URL to events; the answer holds the signing secret (whsec_...), shown this once",
      body: z.strictObject({ url, events, enabled: z.boolean().optional() }),
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("subscriptions.create", { tenantId: requireTenant(request).tenantId, ...request.body })));

  app.get("/v1/admin/webhooks", { config: auth, schema: { tags, security } },
    async (request) => ({ webhooks: await broker.call("subscriptions.list", { tenantId: requireTenant(request).tenantId }) }));

  app.get("/v1/admin/webhooks/:id", { config: auth, schema: { tags, security, params: webhookParams } },
    async (request) => broker.call("subscriptions.get", { tenantId: requireTenant(request).tenantId, id: request.params.id }));

  app.patch("/v1/admin/webhooks/:id", {
    config: auth,
    schema: { tags, security, params: webhookParams, summary: "Change the URL or the events, or pause and resume", body: z.strictObject({ url: url.optional(), events: events.optional(), enabled: z.boolean().optional() }) },
  }, async (request) => broker.call("subscriptions.update", { tenantId: requireTenant(request).tenantId, id: request.params.id, ...request.body }));

  app.post("/v1/admin/webhooks/:id/rotate-secret", {
    config: auth,
    schema: {
      tags, security, params: webhookParams,
      summary: "Replace the signing secret; the answer holds the new one, shown this once. The old one keeps signing beside it for overlapSeconds (default 86400)",
      body: z.strictObject({
        overlapSeconds: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_SECONDS).optional()
          .describe("How long the old secret still signs too (both signatures in webhook-signature); 0 stops it at once"),
      }).nullish(),
    },
  }, async (request) => broker.call("subscriptions.rotateSecret", { tenantId: requireTenant(request).tenantId, id: request.params.id, ...(request.body ?? {}) }));

  app.delete("/v1/admin/webhooks/:id", { config: auth, schema: { tags, security, params: webhookParams } }, async (request, reply) => {
    await broker.call("subscriptions.remove", { tenantId: requireTenant(request).tenantId, id: request.params.id });
    return reply.code(204).send();
  });

  app.get("/v1/admin/webhooks/:id/deliveries", {
    config: auth,
    schema: {
      tags, security, params: webhookParams, summary: "The delivery log of this webhook, newest first",
      querystring: z.strictObject({ status: z.enum(["pending", "delivered", "failed"]).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }),
    },
  }, async (request) => ({
    deliveries: await broker.call("subscriptions.deliveries", { tenantId: requireTenant(request).tenantId, subscriptionId: request.params.id, ...request.query }),
  }));

  app.post("/v1/admin/webhooks/:id/deliveries/:deliveryId/redeliver", {
    config: auth,
    schema: { tags, security, params: deliveryParams, summary: "Send a delivered or failed delivery again (same id, new attempts)" },
  }, async (request, reply) => reply.code(202).send(await broker.call("subscriptions.redeliver", { tenantId: requireTenant(request).tenantId, subscriptionId: request.params.id, deliveryId: request.params.deliveryId })));
};
