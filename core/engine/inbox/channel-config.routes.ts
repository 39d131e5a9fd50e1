import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { noContent } from "../../kernel/gateway/openapi.ts";

const channelView = z.looseObject({
  botId: z.uuid(), channel: z.string(), config: z.record(z.string(), z.unknown()),
  secrets: z.array(z.looseObject({ name: z.string(), set: z.boolean() })).describe("Which secrets are set (never their values)"),
  webhooks: z.record(z.string(), z.string()).describe("The paths to give the vendor, by name"),
  updatedAt: z.string(),
});

const params = z.strictObject({ botId: z.uuid(), channel: z.string().min(1).max(40) });
// Each channel plugin declares its own configuration and secrets; the service checks the body
// against the named channel's strict schema (400 CHANNEL_CONFIG_INVALID).
const body = z.record(z.string(), z.unknown()).describe("The channel's configuration and secrets together, as its plugin declares them (configSchema and secretsSchema in GET /v1/admin/channels).");

/** Per-bot channel configuration for the tenant admin; secrets go in and never come back out. */
export const channelConfigRoutes: RouteModule = (app, { broker }) => {
  const tags = ["channels"];
  const auth = { auth: "tenant-admin" as const };

  app.get("/v1/admin/channels", { config: auth, schema: { tags, summary: "The channels this platform serves: each one's configuration and secrets (JSON Schema), webhook routes and settings",
      response: { 200: z.object({ channels: z.array(z.looseObject({ plugin: z.string(), name: z.string(), description: z.string().optional(), configSchema: z.record(z.string(), z.unknown()).optional() })) }) },
    } },
    async () => ({ channels: await broker.call<{ plugin: string; name: string }[], object>("channelConfig.list", {}) }));

  app.put("/v1/admin/bots/:botId/channels/:channel", {
    config: auth,
    schema: { tags, params, summary: "Connect a bot to a channel (replaces the previous configuration)", body: z.unknown().describe(body.description ?? ""), response: { 200: channelView } },
  }, async (request) => broker.call("channelConfig.put", { tenantId: requireTenant(request).tenantId, ...request.params, config: request.body }));

  app.get("/v1/admin/bots/:botId/channels/:channel", { config: auth, schema: { tags, params, summary: "The channel's configuration without its secrets, and the webhook URLs to give the vendor", response: { 200: channelView } } },
    async (request) => broker.call("channelConfig.get", { tenantId: requireTenant(request).tenantId, ...request.params }));

  app.delete("/v1/admin/bots/:botId/channels/:channel", { config: auth, schema: { tags, params, summary: "Disconnect a bot from a channel (its secrets are deleted)", response: { 204: noContent("Disconnected") } } }, async (request, reply) => {
    await broker.call("channelConfig.remove", { tenantId: requireTenant(request).tenantId, ...request.params });
    return reply.code(204).send();
  });

  app.get("/v1/admin/bots/:botId/channels/:channel/messages", {
    config: auth,
    schema: { tags, params, summary: "Recent messages through this channel with their delivery status", querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() }), response: { 200: z.object({ messages: z.array(z.record(z.string(), z.unknown())) }) } },
  }, async (request) => ({ messages: await broker.call<Record<string, unknown>[], object>("channelConfig.messages", { tenantId: requireTenant(request).tenantId, ...request.params, limit: request.query.limit }) }));
};
