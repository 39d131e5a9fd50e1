import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { apiError, noContent } from "../../kernel/gateway/openapi.ts";
import { richMessagesSchema } from "../../sdk/content-contract.ts";
import { experimentInputSchema, ExperimentStatus, goalSchema, itemInputSchema, itemPatchSchema, itemQuerySchema } from "./content-schemas.ts";
import { STATISTICAL_TEST } from "./experiment-statistics.ts";
import type { ContentItem, Experiment } from "./content.store.ts";

// Ids are checked by the service: a malformed one is as unknown as another tenant's (404).
const itemParams = z.strictObject({ itemId: z.string().min(1).max(100) });
const experimentParams = z.strictObject({ experimentId: z.string().min(1).max(100) });

// Answers are loose objects: a field may be added without breaking a client.
const variantView = z.looseObject({
  id: z.string(), name: z.string(), weight: z.number().describe("Share of users shown it, relative to the other variants' weights"), messages: richMessagesSchema,
});
const itemView = z.looseObject({
  id: z.uuid(), type: z.string(), name: z.string(), tags: z.array(z.string()), locale: z.string().nullable(), variants: z.array(variantView),
  winnerVariantId: z.string().nullable().describe("The promoted variant every user sees; null while the weights decide"),
  createdAt: z.string(), updatedAt: z.string(),
}).describe("An item of the content library");
const experimentView = z.looseObject({
  id: z.uuid(), itemId: z.uuid(), botId: z.uuid(), name: z.string(), goal: goalSchema, status: z.enum(Object.values(ExperimentStatus)),
  winnerVariantId: z.string().nullable().describe("The variant promoted when it closed"), startedAt: z.string(), endedAt: z.string().nullable(),
}).describe("An A/B experiment of an item's variants in a bot");
const variantResultView = z.looseObject({
  variantId: z.string(), name: z.string(), weight: z.number(),
  impressions: z.number().int().describe("Users shown this variant"), conversions: z.number().int().describe("Those of them who then reached the goal"),
  shows: z.number().int().describe("How often it was shown, counting repeats"), rate: z.number().nullable().describe("conversions / impressions; null before any impression"),
  z: z.number().nullable(), pValue: z.number().nullable(), confidence: z.number().nullable().describe("1 - pValue against the control; null for the control itself"),
  control: z.boolean(),
});
const experimentResultsView = experimentView.extend({
  itemName: z.string(),
  test: z.looseObject({ name: z.string(), description: z.string(), controlVariantId: z.string().nullable() }),
  variants: z.array(variantResultView),
  goalProblem: z.looseObject({ code: z.string(), message: z.string() }).nullable()
    .describe("Set while running when the goal can no longer be reached (EXPERIMENT_GOAL_NODE_DELETED, EXPERIMENT_GOAL_NODE_UNKNOWN)"),
}).describe("An experiment and its results per variant");
const closed = apiError("The experiment was stopped or promoted already (EXPERIMENT_CLOSED)");

/** The content library (items with A/B variants) and its experiments. */
export const contentRoutes: RouteModule = (app, { broker }) => {
  const auth = { auth: "tenant-admin" as const };
  const content = ["content"];
  const experiments = ["experiments"];
  const tenantOf = (request: Parameters<typeof requireTenant>[0]) => requireTenant(request).tenantId;

  app.post("/v1/admin/content", {
    config: auth,
    schema: { tags: content, summary: "Add an item to the content library, with one or more weighted variants", body: itemInputSchema, response: { 201: itemView } },
  }, async (request, reply) => reply.code(201).send(await broker.call("content.createItem", { tenantId: tenantOf(request), ...request.body })));

  app.get("/v1/admin/content", {
    config: auth,
    schema: { tags: content, summary: "The library's items, filtered by type, tag or locale", querystring: itemQuerySchema, response: { 200: z.looseObject({ items: z.array(itemView) }) } },
  }, async (request) => ({ items: await broker.call<ContentItem[], object>("content.listItems", { tenantId: tenantOf(request), ...request.query }) }));

  app.get("/v1/admin/content/:itemId", { config: auth, schema: { tags: content, params: itemParams, summary: "An item of the library, with its variants", response: { 200: itemView } } },
    async (request) => broker.call("content.getItem", { tenantId: tenantOf(request), id: request.params.itemId }));

  app.patch("/v1/admin/content/:itemId", {
    config: auth,
    schema: { tags: content, params: itemParams, summary: "Change an item; `variants`, when given, replaces them all", body: itemPatchSchema, response: { 200: itemView } },
  }, async (request) => broker.call("content.updateItem", { tenantId: tenantOf(request), id: request.params.itemId, ...request.body }));

  app.delete("/v1/admin/content/:itemId", { config: auth, schema: { tags: content, params: itemParams, summary: "Delete an item and its experiments", response: { 204: noContent("Deleted") } } },
    async (request, reply) => {
      await broker.call("content.removeItem", { tenantId: tenantOf(request), id: request.params.itemId });
      return reply.code(204).send();
    });

  app.post("/v1/admin/experiments", {
    config: auth,
    schema: {
      tags: experiments, body: experimentInputSchema,
      summary: "Start an A/B test of an item's variants in a bot, towards a goal (a node reached, a variable set, or a custom event)",
      response: {
        201: experimentView,
        409: apiError("The item is in a running experiment already; stop or promote it first (EXPERIMENT_ALREADY_RUNNING)"),
        422: apiError("The goal node is not in the bot's latest published flow: EXPERIMENT_GOAL_NODE_DELETED (a newer version dropped it; `details` names the versions) or EXPERIMENT_GOAL_NODE_UNKNOWN"),
      },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("content.createExperiment", { tenantId: tenantOf(request), ...request.body })));

  app.get("/v1/admin/experiments", {
    config: auth,
    schema: {
      tags: experiments, summary: "The tenant's experiments, newest first",
      querystring: z.strictObject({ itemId: z.string().max(100).optional(), botId: z.string().max(100).optional(), status: z.enum(Object.values(ExperimentStatus)).optional() }),
      response: { 200: z.looseObject({ experiments: z.array(experimentView) }) },
    },
  }, async (request) => ({ experiments: await broker.call<Experiment[], object>("content.listExperiments", { tenantId: tenantOf(request), ...request.query }) }));

  app.get("/v1/admin/experiments/:experimentId", {
    config: auth,
    schema: {
      tags: experiments, params: experimentParams,
      summary: "An experiment's results: per variant, impressions (users shown it), conversions (those of them who reached the goal), rate, "
        + `and the confidence from the ${STATISTICAL_TEST.name} against the control (the first variant)`,
      response: { 200: experimentResultsView },
    },
  }, async (request) => broker.call("content.results", { tenantId: tenantOf(request), id: request.params.experimentId }));

  app.post("/v1/admin/experiments/:experimentId/promote", {
    config: auth,
    schema: {
      tags: experiments, params: experimentParams, summary: "Show this variant to every user from now on, and close the experiment",
      body: z.strictObject({ variantId: z.string().min(1).max(40) }),
      response: { 200: experimentView, 409: closed },
    },
  }, async (request) => broker.call("content.promote", { tenantId: tenantOf(request), id: request.params.experimentId, variantId: request.body.variantId }));

  app.post("/v1/admin/experiments/:experimentId/stop", {
    config: auth,
    schema: { tags: experiments, params: experimentParams, summary: "Close the experiment without a winner: the weights decide again", response: { 200: experimentView, 409: closed } },
  }, async (request) => broker.call("content.stop", { tenantId: tenantOf(request), id: request.params.experimentId }));
};
