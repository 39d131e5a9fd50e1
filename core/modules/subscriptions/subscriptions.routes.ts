import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { MAX_ROTATION_OVERLAP_SECONDS } from "./subscriptions.service.ts";
import { apiError, noContent } from "../../kernel/gateway/openapi.ts";
import { subscribableEvents } from "./event-names.ts";
import type { DeliveryView } from "./subscription-store.ts";

// Answers are loose objects: a field may be added without breaking a client.
const webhookView = z.looseObject({
  id: z.uuid(), url: z.string(), events: z.array(z.string()), enabled: z.boolean(), createdAt: z.string(), updatedAt: z.string(),
}).describe("An event webhook (without its secret)");

const deliveryView = z.looseObject({
  id: z.uuid().describe("The delivery id, sent as webhook-id on every attempt"), event: z.string(), status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number().int().describe("Attempts made so far (a redelivery starts again at 0)"), nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable().describe("The receiver's HTTP status on the last attempt; null when none answered"),
  lastError: z.string().nullable(), createdAt: z.string(), deliveredAt: z.string().nullable(),
}).describe("One event's delivery to the webhook");
const webhookParams = z.strictObject({ id: z.uuid() });
const deliveryParams = z.strictObject({ id: z.uuid(), deliveryId: z.uuid() });
const url = z.string().max(2048).refine((v) => /^https?:\/\//i.test(v), "must be an http:// or https:// URL");
// Names are checked by the service (400 WEBHOOK_UNKNOWN_EVENT, listing the allowed ones).
const events = z.array(z.string().min(1).max(100)).min(1).max(20).describe('Event names (conversation.session.started, ...), or ["*"] for all');

/** Event subscriptions (webhooks) of the tenant, and their delivery log. */
export const subscriptionRoutes: RouteModule = (app, { broker }) => {
  const tags = ["webhooks"];
  const auth = { auth: "tenant-admin" as const };

  app.post("/v1/admin/webhooks", {
    config: auth,
    schema: {
      tags,
      summary: "Subscribe a URL to events; the answer holds the signing secret (whsec_...), shown this once",
      body: z.strictObject({ url, events, enabled: z.boolean().optional() }),
      response: { 201: webhookView.extend({ secret: z.string().describe("The signing secret (whsec_…), shown this once") }) },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("subscriptions.create", { tenantId: requireTenant(request).tenantId, ...request.body })));

  app.get("/v1/admin/webhooks", {
    config: auth,
    schema: { tags, summary: "The tenant's event webhooks, and the events one may subscribe to", response: { 200: z.object({ webhooks: z.array(webhookView), events: z.array(z.string()).describe("The event names a webhook may list (or \"*\" for all)") }) } },
  }, async (request) => ({
    webhooks: await broker.call<z.infer<typeof webhookView>[], object>("subscriptions.list", { tenantId: requireTenant(request).tenantId }),
    events: [...subscribableEvents],
  }));

  app.get("/v1/admin/webhooks/:id", { config: auth, schema: { tags, params: webhookParams, summary: "An event webhook", response: { 200: webhookView } } },
    async (request) => broker.call("subscriptions.get", { tenantId: requireTenant(request).tenantId, id: request.params.id }));

  app.patch("/v1/admin/webhooks/:id", {
    config: auth,
    schema: { tags, params: webhookParams, summary: "Change the URL or the events, or pause and resume", body: z.strictObject({ url: url.optional(), events: events.optional(), enabled: z.boolean().optional() }), response: { 200: webhookView } },
  }, async (request) => broker.call("subscriptions.update", { tenantId: requireTenant(request).tenantId, id: request.params.id, ...request.body }));

  app.post("/v1/admin/webhooks/:id/rotate-secret", {
    config: auth,
    schema: {
      tags, params: webhookParams,
      summary: "Replace the signing secret; the answer holds the new one, shown this once. The old one keeps signing beside it for overlapSeconds (default 86400)",
      body: z.strictObject({
        overlapSeconds: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_SECONDS).optional()
          .describe("How long the old secret still signs too (both signatures in webhook-signature); 0 stops it at once"),
      }).nullish(),
      response: {
        200: webhookView.extend({
          secret: z.string().describe("The new signing secret (whsec_…), shown this once"),
          overlapEndsAt: z.string().nullable().describe("When the previous secret stops signing; null when it stopped at once (overlapSeconds 0)"),
        }),
      },
    },
  }, async (request) => broker.call("subscriptions.rotateSecret", { tenantId: requireTenant(request).tenantId, id: request.params.id, ...(request.body ?? {}) }));

  app.delete("/v1/admin/webhooks/:id", { config: auth, schema: { tags, params: webhookParams, summary: "Delete an event webhook and its delivery log", response: { 204: noContent("Deleted") } } }, async (request, reply) => {
    await broker.call("subscriptions.remove", { tenantId: requireTenant(request).tenantId, id: request.params.id });
    return reply.code(204).send();
  });

  app.get("/v1/admin/webhooks/:id/deliveries", {
    config: auth,
    schema: {
      tags, params: webhookParams, summary: "The delivery log of this webhook, newest first",
      querystring: z.strictObject({ status: z.enum(["pending", "delivered", "failed"]).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }),
      response: { 200: z.object({ deliveries: z.array(deliveryView) }) },
    },
  }, async (request) => ({
    deliveries: await broker.call<DeliveryView[], object>("subscriptions.deliveries", { tenantId: requireTenant(request).tenantId, subscriptionId: request.params.id, ...request.query }),
  }));

  app.post("/v1/admin/webhooks/:id/deliveries/:deliveryId/redeliver", {
    config: auth,
    schema: { tags, params: deliveryParams, summary: "Send a delivered or failed delivery again (same id, new attempts)", response: { 202: z.record(z.string(), z.unknown()).describe("Queued again"), 409: apiError("The webhook is disabled (WEBHOOK_DISABLED), or the delivery is still pending") } },
  }, async (request, reply) => reply.code(202).send(await broker.call("subscriptions.redeliver", { tenantId: requireTenant(request).tenantId, subscriptionId: request.params.id, deliveryId: request.params.deliveryId })));
};
