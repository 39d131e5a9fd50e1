import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";

const counted = z.looseObject({ quota: z.number().int(), used: z.number().int() });

/** AI usage for the tenant admin: tokens by month and model against the monthly quota, and tool calls. */
export const aiUsageRoutes: RouteModule = (app, { broker }) => {
  const tags = ["usage"];
  const auth = { auth: "tenant-admin" as const };

  app.get("/v1/admin/usage", { config: auth, schema: { tags, summary: "AI tokens by month and model, and this month's usage against every limit of the tenant",
      response: {
        200: z.looseObject({
          month: z.string().describe("YYYY-MM"), tier: z.enum(["free", "paid"]).optional(),
          quota: z.number().describe("AI tokens a month"), used: z.number().describe("AI tokens used this month"), remaining: z.number(),
          limits: z.looseObject({
            aiTokensPerMonth: counted.describe("AI tokens (input + output) this month; past the quota, model calls answer 429 LLM_QUOTA_EXHAUSTED"),
            messagesPerMonth: counted.describe("Messages from end users this month; past the quota, 429 MONTHLY_QUOTA_EXHAUSTED"),
            requestsPerMinute: z.number().int().describe("API requests a minute, by the tenant's tier"),
            messagesPerMinutePerUser: z.number().int().describe("Messages one end user may send a minute (tenant settings)"),
            sessionTtlDays: z.number().int().describe("Days of inactivity before a session expires (tenant settings)"),
            retentionDays: z.number().int().describe("Days message history is kept (tenant settings)"),
          }).optional().describe("Every limit the tenant runs under, with what it used of the monthly ones"),
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
