import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { experimentInputSchema, ExperimentStatus, itemInputSchema, itemPatchSchema, itemQuerySchema } from "./content-schemas.ts";
import { STATISTICAL_TEST } from "./experiment-statistics.ts";

// Ids are checked by the service: a malformed one is as unknown as another tenant's (404).
const itemParams = z.strictObject({ itemId: z.string().min(1).max(100) });
const experimentParams = z.strictObject({ experimentId: z.string().min(1).max(100) });

/** The content library (items with A/B variants) and its experiments. */
export const contentRoutes: RouteModule = (app, { broker }) => {
  const security = [{ bearer: [] }];
  const auth = { auth: "tenant-admin" as const };
  const content = ["content"];
  const experiments = ["experiments"];
  const tenantOf = (request: Parameters<typeof requireTenant>[0]) => requireTenant(request).tenantId;

  app.post("/v1/admin/content", {
    config: auth,
    schema: { tags: content, security, summary: "Add an item to the content library, with one or more weighted variants", body: itemInputSchema },
  }, async (request, reply) => reply.code(201).send(await broker.call("content.createItem", { tenantId: tenantOf(request), ...request.body })));

  app.get("/v1/admin/content", {
    config: auth,
    schema: { tags: content, security, summary: "The library's items, filtered by type, tag or locale", querystring: itemQuerySchema },
  }, async (request) => ({ items: await broker.call("content.listItems", { tenantId: tenantOf(request), ...request.query }) }));

  app.get("/v1/admin/content/:itemId", { config: auth, schema: { tags: content, security, params: itemParams } },
    async (request) => broker.call("content.getItem", { tenantId: tenantOf(request), id: request.params.itemId }));

  app.patch("/v1/admin/content/:itemId", {
    config: auth,
    schema: { tags: content, security, params: itemParams, summary: "Change an item; `variants`, when given, replaces them all", body: itemPatchSchema },
  }, async (request) => broker.call("content.updateItem", { tenantId: tenantOf(request), id: request.params.itemId, ...request.body }));

  app.delete("/v1/admin/content/:itemId", { config: auth, schema: { tags: content, security, params: itemParams, summary: "Delete an item and its experiments" } },
    async (request, reply) => {
      await broker.call("content.removeItem", { tenantId: tenantOf(request), id: request.params.itemId });
      return reply.code(204).send();
    });

  app.post("/v1/admin/experiments", {
    config: auth,
    schema: {
      tags: experiments, security, body: experimentInputSchema,
      summary: "Start an A/B test of an item's variants in a bot, towards a goal (a node reached, a variable set, or a custom event)",
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("content.createExperiment", { tenantId: tenantOf(request), ...request.body })));

  app.get("/v1/admin/experiments", {
    config: auth,
    schema: {
      tags: experiments, security, summary: "The tenant's experiments, newest first",
      querystring: z.strictObject({ itemId: z.string().max(100).optional(), botId: z.string().max(100).optional(), status: z.enum(Object.values(ExperimentStatus)).optional() }),
    },
  }, async (request) => ({ experiments: await broker.call("content.listExperiments", { tenantId: tenantOf(request), ...request.query }) }));

  app.get("/v1/admin/experiments/:experimentId", {
    config: auth,
    schema: {
      tags: experiments, security, params: experimentParams,
      summary: "An experiment's results: per variant, impressions (users shown it), conversions (those of them who reached the goal), rate, "
        + `and the confidence from the ${STATISTICAL_TEST.name} against the control (the first variant)`,
    },
  }, async (request) => broker.call("content.results", { tenantId: tenantOf(request), id: request.params.experimentId }));

  app.post("/v1/admin/experiments/:experimentId/promote", {
    config: auth,
    schema: {
      tags: experiments, security, params: experimentParams, summary: "Show this variant to every user from now on, and close the experiment",
      body: z.strictObject({ variantId: z.string().min(1).max(40) }),
    },
  }, async (request) => broker.call("content.promote", { tenantId: tenantOf(request), id: request.params.experimentId, variantId: request.body.variantId }));

  app.post("/v1/admin/experiments/:experimentId/stop", {
    config: auth,
    schema: { tags: experiments, security, params: experimentParams, summary: "Close the experiment without a winner: the weights decide again" },
  }, async (request) => broker.call("content.stop", { tenantId: tenantOf(request), id: request.params.experimentId }));
};
