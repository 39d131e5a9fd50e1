import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";

/** AI usage for the tenant admin: tokens by month and model against the monthly quota, and tool calls. */
export const aiUsageRoutes: RouteModule = (app, { broker }) => {
  const tags = ["usage"];
  const auth = { auth: "tenant-admin" as const };

  app.get("/v1/admin/usage", { config: auth, schema: { tags, summary: "AI tokens by month and model, and this month's quota",
      response: {
        200: z.looseObject({
          month: z.string().describe("YYYY-MM"), quota: z.number(), used: z.number(), remaining: z.number(),
          byMonthAndModel: z.array(z.record(z.string(), z.unknown())),
        }),
      },
    } },
    async (request) => broker.call("ai.usage", { tenantId: requireTenant(request).tenantId }));

  app.get("/v1/admin/usage/tool-calls", {
    config: auth,
    schema: { tags, summary: "The latest tool calls of the tenant's agents (tool, input size, latency, outcome)", querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional() }), response: { 200: z.object({ toolCalls: z.array(z.record(z.string(), z.unknown())) }) } },
  }, async (request) => ({ toolCalls: await broker.call<Record<string, unknown>[], object>("ai.toolCalls", { tenantId: requireTenant(request).tenantId, limit: request.query.limit }) }));
};
