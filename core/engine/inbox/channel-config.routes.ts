import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { apiError, noContent } from "../../kernel/gateway/openapi.ts";
import type { FastifyRequest } from "fastify";

const channelView = z.looseObject({
  botId: z.uuid(), channel: z.string(), config: z.record(z.string(), z.unknown()),
  secrets: z.array(z.looseObject({ name: z.string(), set: z.boolean() })).describe("Which secrets are set (never their values)"),
  webhooks: z.record(z.string(), z.string()).describe("The paths to give the vendor, by name"),
  updatedAt: z.string(),
});

const jsonSchema = z.record(z.string(), z.unknown());
const channelOfBot = z.looseObject({
  channel: z.string(), plugin: z.string(), description: z.string().optional(),
  configSchema: jsonSchema.describe("What the configuration holds (JSON Schema)"), secretsSchema: jsonSchema.describe("The secrets it needs (JSON Schema); never answered back"),
  configured: z.boolean(), config: jsonSchema.nullable().describe("The configuration without its secrets, when configured"),
  secrets: z.array(z.looseObject({ name: z.string(), set: z.boolean() })).describe("Which secrets are set (never their values)"),
  webhooks: z.record(z.string(), z.string()).describe("The URLs to give the vendor, by name"),
  checksCredentials: z.boolean().describe("Whether POST …/check can ask the vendor about the credentials"),
  updatedAt: z.string().nullable(),
  lastCheck: z.looseObject({
    checkedAt: z.string(), connected: z.boolean(), account: z.string().optional().describe("What the vendor knows them as, when connected"),
    problem: z.looseObject({ code: z.string(), message: z.string() }).optional().describe("The vendor's reason, when not connected"),
  }).nullable().optional().describe("The last credentials check (POST …/check) of the configuration stored now: when, and what the vendor said; null when it was never checked or changed since"),
});
const checkAnswer = z.looseObject({
  channel: z.string(),
  connected: z.boolean().describe("The vendor accepted the credentials"),
  account: z.string().optional().describe("What the vendor knows them as (a phone number, an account's name), when connected"),
  problem: z.looseObject({ code: z.string(), message: z.string() }).optional().describe("Why not, when not connected: a stable code and the vendor's reason"),
  checkedAt: z.string(),
});

const botOnly = z.strictObject({ botId: z.uuid() });
const params = z.strictObject({ botId: z.uuid(), channel: z.string().min(1).max(40) });
// Each channel plugin declares its own configuration and secrets; the service checks the body
// against the named channel's strict schema (400 CHANNEL_CONFIG_INVALID).
const body = z.record(z.string(), z.unknown()).describe("The channel's configuration and secrets together, as its plugin declares them (configSchema and secretsSchema in GET /v1/admin/channels).");

/** Per-bot channel configuration for the tenant admin; secrets go in and never come back out. */
export const channelConfigRoutes: RouteModule = (app, { broker }) => {
  const tags = ["channels"];
  const auth = { auth: "tenant-admin" as const };
  // Vendors call PUBLIC_URL when the operator set it; else the base the admin reached us on (a laptop, a test).
  const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

  app.get("/v1/admin/channels", { config: auth, schema: { tags, summary: "The channels this platform serves: each one's configuration and secrets (JSON Schema), webhook routes and settings",
      response: { 200: z.object({ channels: z.array(z.looseObject({ plugin: z.string(), name: z.string(), description: z.string().optional(), configSchema: z.record(z.string(), z.unknown()).optional() })) }) },
    } },
    async () => ({ channels: await broker.call<{ plugin: string; name: string }[], object>("channelConfig.list", {}) }));

  app.get("/v1/admin/bots/:botId/channels", {
    config: auth,
    schema: { tags, params: botOnly, summary: "Every channel for this bot: configured or not, its configuration without secrets, which secrets are set, the webhook URLs to give the vendor", response: { 200: z.object({ channels: z.array(channelOfBot) }) } },
  }, async (request) => ({ channels: await broker.call<z.infer<typeof channelOfBot>[], object>("channelConfig.ofBot", { tenantId: requireTenant(request).tenantId, botId: request.params.botId, baseUrl: baseUrl(request) }) }));

  app.put("/v1/admin/bots/:botId/channels/:channel", {
    config: auth,
    schema: {
      tags, params, summary: "Connect a bot to a channel (replaces the previous configuration; a secret left out keeps its stored value)",
      body: z.unknown().describe(body.description ?? ""), response: { 200: channelView, 400: apiError("The configuration does not fit the channel's schema (CHANNEL_CONFIG_INVALID)"), 404: apiError("No such bot or channel (BOT_NOT_FOUND, CHANNEL_UNKNOWN)") },
    },
  }, async (request) => broker.call("channelConfig.put", { tenantId: requireTenant(request).tenantId, ...request.params, config: request.body, baseUrl: baseUrl(request) }));

  app.get("/v1/admin/bots/:botId/channels/:channel", { config: auth, schema: { tags, params, summary: "The channel's configuration without its secrets, and the webhook URLs to give the vendor", response: { 200: channelView } } },
    async (request) => broker.call("channelConfig.get", { tenantId: requireTenant(request).tenantId, ...request.params, baseUrl: baseUrl(request) }));

  app.post("/v1/admin/bots/:botId/channels/:channel/check", {
    config: auth,
    schema: {
      tags, params,
      summary: "Ask the vendor whether the credentials work: those in the body (a secret left out is the stored one), else the stored configuration; the configuration is not saved",
      description: "A refusal by the vendor is an answer (`connected: false` with the vendor's reason), not an error. The answer is kept: GET …/channels shows it as `lastCheck` while the stored configuration is the one checked.",
      body: z.unknown().optional().describe(`${body.description ?? ""} Optional: without a body, the stored configuration is checked.`),
      response: {
        200: checkAnswer,
        400: apiError("The configuration does not fit the channel's schema (CHANNEL_CONFIG_INVALID)"),
        404: apiError("No such bot or channel, or nothing to check (BOT_NOT_FOUND, CHANNEL_UNKNOWN, CHANNEL_NOT_CONFIGURED)"),
        409: apiError("This channel cannot check credentials (CHANNEL_CHECK_UNSUPPORTED)"),
      },
    },
  }, async (request) => broker.call("channelConfig.check", { tenantId: requireTenant(request).tenantId, ...request.params, config: request.body ?? undefined }));

  app.delete("/v1/admin/bots/:botId/channels/:channel", { config: auth, schema: { tags, params, summary: "Disconnect a bot from a channel (its secrets are deleted)", response: { 204: noContent("Disconnected") } } }, async (request, reply) => {
    await broker.call("channelConfig.remove", { tenantId: requireTenant(request).tenantId, ...request.params });
    return reply.code(204).send();
  });

  app.get("/v1/admin/bots/:botId/channels/:channel/messages", {
    config: auth,
    schema: { tags, params, summary: "Recent messages through this channel with their delivery status", querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() }), response: { 200: z.object({ messages: z.array(z.record(z.string(), z.unknown())) }) } },
  }, async (request) => ({ messages: await broker.call<Record<string, unknown>[], object>("channelConfig.messages", { tenantId: requireTenant(request).tenantId, ...request.params, limit: request.query.limit }) }));
};
