import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { apiError, noContent } from "../../kernel/gateway/openapi.ts";

const botParams = z.strictObject({ botId: z.uuid() });
const intentParams = z.strictObject({ botId: z.uuid(), intentId: z.uuid() });
// Names and examples are checked by the service, so each mistake has its own code
// (INTENT_NAME_INVALID, INTENT_EXAMPLES_EMPTY); the schema only bounds the sizes.
const name = z.string().max(100).describe("lowercase letters, digits and _ (order_status); it names the intent node's connection");
const description = z.string().max(500).describe("What the intent means, for people and for the bot's language model");
const examples = z.array(z.string().max(500)).max(200).describe("Example phrases a customer would say for it (at least one)");

// Answers are loose objects: a field may be added without breaking a client.
const intentView = z.looseObject({
  id: z.uuid(), botId: z.uuid(), name: z.string(), description: z.string().optional(), examples: z.array(z.string()), createdAt: z.string(), updatedAt: z.string(),
}).describe("An intent of the bot with its example phrases");

/** A bot's intents: example phrases per intent, matched against every typed message (temp.intent). */
export const intentRoutes: RouteModule = (app, { broker }) => {
  const tags = ["intents"];
  const auth = { auth: "tenant-admin" as const };

  app.get("/v1/admin/bots/:botId/intents", { config: auth, schema: { tags, params: botParams, summary: "The bot's intents, by name", response: { 200: z.object({ intents: z.array(intentView) }) } } },
    async (request) => ({ intents: await broker.call<z.infer<typeof intentView>[], object>("nlp.list", { tenantId: requireTenant(request).tenantId, botId: request.params.botId }) }));

  app.post("/v1/admin/bots/:botId/intents", {
    config: auth,
    schema: {
      tags, params: botParams, summary: "Define an intent with example phrases", body: z.strictObject({ name, description: description.optional(), examples }),
      response: { 201: intentView, 409: apiError("The bot already has an intent of that name (INTENT_NAME_TAKEN), or as many intents as allowed (INTENT_LIMIT_REACHED)") },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("nlp.create", { tenantId: requireTenant(request).tenantId, botId: request.params.botId, ...request.body })));

  app.get("/v1/admin/bots/:botId/intents/:intentId", { config: auth, schema: { tags, params: intentParams, summary: "An intent of the bot", response: { 200: intentView } } },
    async (request) => broker.call("nlp.get", { tenantId: requireTenant(request).tenantId, ...request.params }));

  app.patch("/v1/admin/bots/:botId/intents/:intentId", {
    config: auth,
    schema: {
      tags, params: intentParams, summary: "Rename an intent, or change its description or examples",
      body: z.strictObject({ name: name.optional(), description: description.nullable().optional(), examples: examples.optional() }),
      response: { 200: intentView, 409: apiError("Another intent of the bot has that name (INTENT_NAME_TAKEN)") },
    },
  }, async (request) => broker.call("nlp.update", { tenantId: requireTenant(request).tenantId, ...request.params, ...request.body }));

  app.delete("/v1/admin/bots/:botId/intents/:intentId", { config: auth, schema: { tags, params: intentParams, summary: "Delete an intent", response: { 204: noContent("Deleted") } } }, async (request, reply) => {
    await broker.call("nlp.remove", { tenantId: requireTenant(request).tenantId, ...request.params });
    return reply.code(204).send();
  });
};
