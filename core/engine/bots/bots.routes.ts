import { z } from "zod";
import { isDeepStrictEqual } from "node:util";
import { botConfigSchema, type BotConfig } from "./bot-config.ts";
import { importFormatSchema } from "../flow/import/import-flow.ts";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { roleAtLeast } from "../../kernel/tenancy/roles.ts";
import { ForbiddenError } from "../../sdk/platform-error.ts";
import { apiError, noContent } from "../../kernel/gateway/openapi.ts";

const botParams = z.strictObject({ botId: z.uuid() });
const lookOf = (config: BotConfig | undefined) => ({ branding: config?.branding ?? {}, greeting: config?.greeting ?? null });
// The flow is checked by the flow validator (422 FLOW_INVALID with every problem), not here.
const flowBody = z.unknown().describe("A flow: { start, nodes: [{ id, type, content, connections }] }");

// Answers are loose objects: a field may be added without breaking a client.
const bot = z.looseObject({
  id: z.uuid(),
  name: z.string(),
  publishedVersion: z.number().int().describe("The version conversations run"),
  config: z.record(z.string(), z.unknown()).describe("The bot's configuration (branding, greeting, calls to action, limits, ai, voice), as in the request"),
  hasDraft: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).describe("A bot");
const problem = z.looseObject({ node: z.string().describe("The node's id, or (flow)"), problem: z.string() });
const problems = z.array(problem).describe("What is wrong with the flow, node by node (empty when it is valid)");
const importNote = z.looseObject({ block: z.string().optional(), type: z.string().optional(), reason: z.string().optional() });
const flowInvalid = apiError("The flow has problems (FLOW_INVALID; `details` lists them node by node)");

/** Bots, their drafts and published versions, for the tenant admin. */
export const botRoutes: RouteModule = (app, { broker }) => {
  const tags = ["bots"];
  const auth = { auth: "tenant-admin" as const };

  app.post("/v1/admin/bots", {
    config: auth,
    schema: { tags, summary: "Create a bot; its flow is validated and published as version 1 (no flow: an assistant answering with its `config.ai`)", body: z.strictObject({ name: z.string().trim().min(1).max(200), flow: flowBody.optional(), config: botConfigSchema.optional() }), response: { 201: bot, 422: flowInvalid } },
  }, async (request, reply) => reply.code(201).send(await broker.call("bots.create", { tenantId: requireTenant(request).tenantId, ...request.body })));

  app.post("/v1/admin/bots/import", {
    config: auth,
    schema: {
      tags,
      summary: "Create a bot from a Typebot export (6, 6.1) or a flow in the seed's JSON; blocks without a counterpart are listed in `unsupported`, and the rest runs",
      body: z.strictObject({ name: z.string().trim().min(1).max(200).optional(), format: importFormatSchema, source: z.unknown().describe("The export, as JSON"), config: botConfigSchema.optional() }),
      response: {
        201: bot.extend({
          unsupported: z.array(importNote).describe("Blocks with no counterpart here: { block, type, reason }"),
          notes: z.array(z.unknown()),
          variables: z.array(z.unknown()),
        }),
        422: apiError("The source is not an export of that format or version (IMPORT_INVALID…), or the resulting flow is invalid"),
      },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("bots.import", { tenantId: requireTenant(request).tenantId, ...request.body })));

  app.get("/v1/admin/bots", { config: auth, schema: { tags, summary: "List the tenant's bots", response: { 200: z.object({ bots: z.array(bot) }) } } }, async (request) => ({ bots: await broker.call<z.infer<typeof bot>[], object>("bots.list", { tenantId: requireTenant(request).tenantId }) }));

  app.get("/v1/admin/bots/:botId", { config: auth, schema: { tags, params: botParams, summary: "A bot, with its draft flow when it has one", response: { 200: bot.extend({ draftFlow: z.unknown().optional().describe("The saved draft, when there is one") }) } } },
    async (request) => broker.call("bots.get", { tenantId: requireTenant(request).tenantId, botId: request.params.botId }));

  app.patch("/v1/admin/bots/:botId", {
    config: auth,
    schema: { tags, params: botParams, summary: "Rename, or change branding, greeting, calls to action and limits (branding and greeting: admins only, 403 WIDGET_ADMIN_ONLY)", body: z.strictObject({ name: z.string().trim().min(1).max(200).optional(), config: botConfigSchema.optional() }), response: { 200: bot } },
  }, async (request) => {
    const principal = requireTenant(request);
    // The widget's look is the admin's (CONSOLE.md); an editor may change the rest of the configuration.
    if (request.body.config && "role" in principal && !roleAtLeast(principal.role, "admin")) {
      const current = await broker.call<{ config: BotConfig }, object>("bots.get", { tenantId: principal.tenantId, botId: request.params.botId });
      if (!isDeepStrictEqual(lookOf(current.config), lookOf(request.body.config))) {
        throw new ForbiddenError("WIDGET_ADMIN_ONLY", "Only an admin changes the widget's look (branding and greeting), with PUT /v1/admin/bots/{botId}/widget");
      }
    }
    return broker.call("bots.update", { tenantId: principal.tenantId, botId: request.params.botId, ...request.body });
  });

  app.delete("/v1/admin/bots/:botId", { config: auth, schema: { tags, params: botParams, summary: "Delete a bot with its versions and conversations", response: { 204: noContent("Deleted") } } }, async (request, reply) => {
    await broker.call("bots.remove", { tenantId: requireTenant(request).tenantId, botId: request.params.botId });
    return reply.code(204).send();
  });

  app.put("/v1/admin/bots/:botId/flow", {
    config: auth,
    schema: { tags, params: botParams, summary: "Save a draft flow (the body is the flow); problems are listed, and block only publishing", body: flowBody, response: { 200: z.looseObject({ saved: z.boolean(), problems }) } },
  }, async (request) => broker.call("bots.saveDraft", { tenantId: requireTenant(request).tenantId, botId: request.params.botId, flow: request.body }));

  app.post("/v1/admin/bots/:botId/publish", { config: auth, schema: { tags, params: botParams, summary: "Publish the draft as a new immutable version", response: { 201: z.looseObject({ version: z.number().int() }), 409: apiError("There is no draft to publish (NO_DRAFT)"), 422: flowInvalid } } },
    async (request, reply) => reply.code(201).send(await broker.call("bots.publish", { tenantId: requireTenant(request).tenantId, botId: request.params.botId })));

  app.get("/v1/admin/bots/:botId/versions", { config: auth, schema: { tags, params: botParams, summary: "The bot's published versions", response: { 200: z.object({ versions: z.array(z.looseObject({ version: z.number().int(), createdAt: z.string() })) }) } } },
    async (request) => ({ versions: await broker.call<{ version: number; createdAt: string }[], object>("bots.versions", { tenantId: requireTenant(request).tenantId, botId: request.params.botId }) }));

  app.get("/v1/admin/bots/:botId/versions/:version", {
    config: auth,
    schema: { tags, params: z.strictObject({ botId: z.uuid(), version: z.coerce.number().int().min(1) }), summary: "One published version with its flow", response: { 200: z.looseObject({ version: z.number().int(), flow: z.unknown().describe("The flow as published"), name: z.string(), config: z.record(z.string(), z.unknown()) }) } },
  }, async (request) => broker.call("bots.flow", { tenantId: requireTenant(request).tenantId, botId: request.params.botId, version: request.params.version }));

  app.post("/v1/admin/flows/validate", {
    // A check, not a change: the audit log leaves it out.
    config: { ...auth, audit: false },
    schema: { tags, summary: "Check a flow without saving it", body: z.strictObject({ flow: flowBody }), response: { 200: z.looseObject({ valid: z.boolean(), problems }) } },
  }, async (request) => broker.call("bots.validate", { flow: request.body.flow }));
};
