import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import type { AuditPage } from "./audit.service.ts";

// Answers are loose objects: a field may be added without breaking a client.
const entryView = z.looseObject({
  id: z.uuid(), at: z.string().describe("When the request answered (ISO 8601)"),
  actor: z.looseObject({
    kind: z.enum(["key", "member", "operator"]),
    id: z.string().nullable().describe("The key's id or the member's user id; null for the operator"),
    label: z.string().describe("The member's email, or the key's label (its prefix when it has none)"),
  }),
  role: z.string().nullable().describe("The role the request was made with"),
  method: z.string(), route: z.string().describe("The route as registered, e.g. /v1/admin/bots/:botId"),
  target: z.record(z.string(), z.string()).describe("The route's ids (botId, keyId, name...) and `id`, what the request created"),
  status: z.number().int(), requestId: z.string().nullable(),
}).describe("A change made through the admin API");

const query = z.strictObject({
  actor: z.string().trim().min(1).max(320).optional().describe("Part of a member's email or a key's label, or a user or key id"),
  route: z.string().trim().min(1).max(300).optional().describe("Part of the route pattern, e.g. /keys"),
  method: z.enum(["POST", "PUT", "PATCH", "DELETE"]).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe("Entries at or after this time"),
  to: z.iso.datetime({ offset: true }).optional().describe("Entries before this time"),
  limit: z.coerce.number().int().min(1).max(200).optional().describe("Entries per page (default 50)"),
  cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
});

/** The tenant's audit log: who changed what through the admin API (core/modules/audit). */
export const auditRoutes: RouteModule = (app, { broker }) => {
  app.get("/v1/admin/audit", {
    config: { auth: "tenant-admin" },
    schema: {
      tags: ["audit"], summary: "Who changed what: every successful change made through the admin API, newest first, filtered by actor, route, method and time",
      querystring: query,
      response: { 200: z.looseObject({ entries: z.array(entryView), nextCursor: z.string().nullable().describe("Pass as cursor for the next page; null on the last") }) },
    },
  }, async (request) => broker.call<AuditPage, object>("audit.list", { tenantId: requireTenant(request).tenantId, ...request.query, limit: request.query.limit ?? 50 }));
};
