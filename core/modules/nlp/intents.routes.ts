import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";

const botParams = z.strictObject({ botId: z.uuid() });
const intentParams = z.strictObject({ botId: z.uuid(), intentId: z.uuid() });
// Names and examples are checked by the service, so each mistake has its own code
// (INTENT_NAME_INVALID, INTENT_EXAMPLES_EMPTY); the schema only bounds the sizes.
const name = z.string().max(100).describe("lowercase letters, digits and _ (order_status); it names the intent node's connection");
const description = z.string().max(500).describe("What the intent means, for people and for the bot's language model");
const examples = z.array(z.string().max(500)).max(200).describe("Example phrases a customer would say for it (at least one)");

/** A bot's intents: example phrases per intent, matched against every typed message (temp.intent). */
export const intentRoutes: RouteModule = (app, { broker }) => {
  const tags = ["intents"];
  const security = [{ bearer: [] }];
  const auth = { auth: "tenant-admin" as const };

  app.get("/v1/admin/bots/:botId/intents", { config: auth, schema: { tags, security, params: botParams, summary: "The bot's intents, by name" } },
    async (request) => ({ intents: await broker.call("nlp.list", { tenantId: requireTenant(request).tenantId, botId: request.params.botId }) }));

  app.post("/v1/admin/bots/:botId/intents", {
    config: auth,
    schema: { tags, security, params: botParams, summary: "Define an intent with example phrases", body: z.strictObject({ name, description: description.optional(), examples }) },
  }, async (request, reply) => reply.code(201).send(await broker.call("nlp.create", { tenantId: requireTenant(request).tenantId, botId: request.params.botId, ...request.body })));

  app.get("/v1/admin/bots/:botId/intents/:intentId", { config: auth, schema: { tags, security, params: intentParams } },
    async (request) => broker.call("nlp.get", { tenantId: requireTenant(request).tenantId, ...request.params }));

  app.patch("/v1/admin/bots/:botId/intents/:intentId", {
    config: auth,
    schema: { tags, security, params: intentParams, summary: "Rename an intent, or change its description or examples", body: z.strictObject({ name: name.optional(), description: description.nullable().optional(), examples: examples.optional() }) },
  }, async (request) => broker.call("nlp.update", { tenantId: requireTenant(request).tenantId, ...request.params, ...request.body }));

  app.delete("/v1/admin/bots/:botId/intents/:intentId", { config: auth, schema: { tags, security, params: intentParams } }, async (request, reply) => {
    await broker.call("nlp.remove", { tenantId: requireTenant(request).tenantId, ...request.params });
    return reply.code(204).send();
  });
};
