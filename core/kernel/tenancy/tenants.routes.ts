import { z } from "zod";
import type { RouteModule } from "../gateway/gateway-app.ts";
import { tenantSettingsSchema } from "./tenant-settings.ts";
import { ForbiddenError } from "../../sdk/platform-error.ts";
import { requirePrincipal, requireTenant, tenantInScope } from "../gateway/route-auth.ts";
import { roleAtLeast, roleSchema } from "./roles.ts";
import { noContent } from "../gateway/openapi.ts";
import type { TenantPrincipal } from "./principal.ts";

// Answers are loose objects: a field may be added without breaking a client.
const tenantView = z.looseObject({
  id: z.uuid(), name: z.string(), tier: z.enum(["free", "paid"]), allowedDomains: z.array(z.string()),
  settings: z.record(z.string(), z.unknown()), createdAt: z.string(),
}).describe("A tenant");
const keyView = z.looseObject({
  id: z.uuid(), kind: z.string(), role: roleSchema.optional(), label: z.string().nullable().optional().describe("The name given to the key; null for keys made before labels"),
  prefix: z.string().describe("The key's first characters, to recognise it"),
  createdAt: z.string(), revokedAt: z.string().nullable(),
  key: z.string().optional().describe("Widget keys only: the key itself (pk_…), public by design since every page with the widget carries it; absent for admin keys and for widget keys issued before they were kept"),
});
const callerView = z.looseObject({
  kind: z.enum(["admin", "member", "operator"]).describe("admin: a tenant's secret key; member: a person's session; operator: the platform's operator"),
  role: roleSchema.optional().describe("What the caller may do in this tenant (absent for the operator)"),
  keyId: z.uuid().optional(), keyLabel: z.string().optional(), userId: z.uuid().optional(), email: z.string().optional(),
}).describe("Who is calling, as the API sees it: the console shows only what this role may do");

const tier = z.enum(["free", "paid"]);
const domain = z.string().regex(/^(\*\.)?[a-z0-9.-]+(:\d+)?$/i, "must be a host name like shop.example or *.example.com").max(253);
const tenantId = z.strictObject({ tenantId: z.uuid() });

function callerOf(principal: TenantPrincipal): z.infer<typeof callerView> {
  if (principal.kind === "admin") return { kind: "admin", role: principal.role, keyId: principal.keyId, keyLabel: principal.keyLabel };
  if (principal.kind === "member") return { kind: "member", role: principal.role, userId: principal.userId, email: principal.email };
  throw new ForbiddenError("WRONG_KEY_KIND", "This call needs an admin key or a member's session");
}

/** Tenants and their keys: the operator manages all of them; a tenant admin sees only its own. */
export const tenantRoutes: RouteModule = (app, { broker }) => {
  const tags = ["tenants"];

  app.post("/v1/admin/tenants", {
    config: { auth: "operator" },
    schema: {
      tags, summary: "Create a tenant; its keys are shown once, in this answer",
      body: z.strictObject({ name: z.string().trim().min(1).max(200), tier: tier.optional(), allowedDomains: z.array(domain).max(100).optional() }),
      response: { 201: tenantView.extend({ keys: z.looseObject({ admin: z.string().describe("The owner's secret key (sk_…), shown once"), widget: z.string().describe("The public widget key (pk_…)") }) }) },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("tenants.create", request.body)));

  app.get("/v1/admin/tenants", { config: { auth: "operator" }, schema: { tags, summary: "List tenants", response: { 200: z.object({ tenants: z.array(tenantView) }) } } },
    async () => ({ tenants: await broker.call<z.infer<typeof tenantView>[]>("tenants.list") }));

  app.get("/v1/admin/tenant", { config: { auth: "tenant-admin" }, schema: { tags, summary: "The caller's own tenant, and who the caller is in it", response: { 200: tenantView.extend({ caller: callerView }) } } },
    async (request) => {
      const principal = requireTenant(request);
      const tenant = await broker.call<z.infer<typeof tenantView>, object>("tenants.get", { tenantId: principal.tenantId });
      return { ...tenant, caller: callerOf(principal) };
    });

  app.get("/v1/admin/tenants/:tenantId", { config: { auth: "operator-or-admin" }, schema: { tags, params: tenantId, summary: "A tenant (the operator: any; a tenant's key: its own)", response: { 200: tenantView } } },
    async (request) => broker.call("tenants.get", { tenantId: tenantInScope(request, request.params.tenantId) }));

  app.patch("/v1/admin/tenants/:tenantId", {
    config: { auth: "operator-or-admin" },
    schema: {
      tags, params: tenantId, summary: "Rename a tenant, change its allowed domains and settings (its tier: the operator only)", response: { 200: tenantView },
      body: z.strictObject({ name: z.string().trim().min(1).max(200).optional(), tier: tier.optional(), allowedDomains: z.array(domain).max(100).optional(), settings: tenantSettingsSchema.optional() }),
    },
  }, async (request) => {
    const id = tenantInScope(request, request.params.tenantId);
    // Only the operator changes what a tenant pays for.
    if (request.body.tier !== undefined && requirePrincipal(request).kind !== "operator") {
      throw new ForbiddenError("TIER_CHANGE_FORBIDDEN", "Only the operator changes a tenant's tier");
    }
    return broker.call("tenants.update", { tenantId: id, ...request.body });
  });

  // The operator, or the tenant's own owner (permissions.ts).
  app.delete("/v1/admin/tenants/:tenantId", { config: { auth: "operator-or-admin" }, schema: { tags, params: tenantId, summary: "Delete a tenant and everything it owns (the operator, or the tenant's owner)", response: { 204: noContent("Deleted") } } },
    async (request, reply) => {
      await broker.call("tenants.remove", { tenantId: tenantInScope(request, request.params.tenantId) });
      return reply.code(204).send();
    });

  app.get("/v1/admin/tenants/:tenantId/keys", { config: { auth: "operator-or-admin" }, schema: { tags, params: tenantId, summary: "The tenant's keys (prefixes only, never the secret keys; widget keys, public by design, in full)", response: { 200: z.object({ keys: z.array(keyView) }) } } },
    async (request) => ({ keys: await broker.call<z.infer<typeof keyView>[], object>("tenants.listKeys", { tenantId: tenantInScope(request, request.params.tenantId) }) }));

  app.post("/v1/admin/tenants/:tenantId/keys", {
    config: { auth: "operator-or-admin" },
    schema: {
      tags, params: tenantId,
      summary: "Issue a key of a kind (an admin key of a role, `admin` by default), shown once; by default it rotates (revokes the old ones of that kind and role), with `rotate: false` it is added beside them",
      body: z.strictObject({
        kind: z.enum(["admin", "widget"]), role: roleSchema.optional(),
        label: z.string().trim().min(1).max(100).optional().describe("A name to recognise the key by (\"CI deploys\"); lists and the audit log show it"),
        rotate: z.boolean().optional().describe("true (default): revoke the tenant's other keys of this kind and role; false: keep them"),
      }),
      response: { 201: keyView.omit({ revokedAt: true }).extend({ kind: z.enum(["admin", "widget"]), key: z.string().describe("The new key, shown once") }) },
    },
  }, async (request, reply) => {
    const principal = requirePrincipal(request);
    // Nobody mints a key that may do more than they may.
    if (request.body.role && "role" in principal && !roleAtLeast(principal.role, request.body.role)) {
      throw new ForbiddenError("ROLE_TOO_HIGH", `The ${principal.role} role may not issue a key with the ${request.body.role} role`);
    }
    return reply.code(201).send(await broker.call("tenants.rotateKey", { tenantId: tenantInScope(request, request.params.tenantId), ...request.body }));
  });

  app.delete("/v1/admin/tenants/:tenantId/keys/:keyId", {
    config: { auth: "operator-or-admin" },
    schema: { tags, params: z.strictObject({ tenantId: z.uuid(), keyId: z.uuid() }), summary: "Revoke a key at once, on every node", response: { 204: noContent("Revoked") } },
  }, async (request, reply) => {
    await broker.call("tenants.revokeKey", { tenantId: tenantInScope(request, request.params.tenantId), keyId: request.params.keyId });
    return reply.code(204).send();
  });
};
