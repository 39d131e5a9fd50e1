import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { roleSchema } from "../../kernel/tenancy/roles.ts";
import { ForbiddenError } from "../../sdk/platform-error.ts";
import type { Actor } from "./people.service.ts";
import { email, errorAnswer, invite, inviteCreated, member } from "./people-schemas.ts";

/**
 * A tenant's members and invites. Who may call these is the role table's business
 * (kernel/tenancy/permissions.ts: admin and up); what a caller may grant is the service's (nobody
 * grants more than they hold; only an owner touches owners; the last owner stays).
 */
export const memberRoutes: RouteModule = (app, { broker, platform }) => {
  const tags = ["people"];
  const auth = { auth: "tenant-admin" as const };
  const userParams = z.strictObject({ userId: z.uuid() });
  const newInvite = z.strictObject({ email, role: roleSchema });
  const baseUrl = (request: FastifyRequest) => platform.config.PUBLIC_URL ?? `${request.protocol}://${request.host}`;

  /** The tenant and the caller's role, from its key or membership. */
  const scope = (request: FastifyRequest): { tenantId: string; actor: Actor } => {
    const principal = requireTenant(request);
    if (!("role" in principal)) throw new ForbiddenError("WRONG_KEY_KIND", "This call needs an admin key or a member's session");
    return { tenantId: principal.tenantId, actor: { role: principal.role, userId: principal.kind === "member" ? principal.userId : null } };
  };

  app.get("/v1/admin/members", {
    config: auth,
    schema: { tags, summary: "The tenant's members and their roles", response: { 200: z.object({ members: z.array(member) }) } },
  }, async (request) => ({ members: await broker.call<z.infer<typeof member>[], object>("people.listMembers", { tenantId: scope(request).tenantId }) }));

  app.post("/v1/admin/members", {
    config: auth,
    schema: {
      tags, summary: "Add a member by email: the same as an invite (a person joins by accepting it, so nobody is added without knowing)",
      body: newInvite,
      response: { 201: inviteCreated, 403: errorAnswer, 409: errorAnswer },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("people.invite", { ...scope(request), ...request.body, baseUrl: baseUrl(request) })));

  app.patch("/v1/admin/members/:userId", {
    config: auth,
    schema: {
      tags, params: userParams, summary: "Change a member's role (the last owner cannot be demoted: 409 LAST_OWNER)",
      body: z.strictObject({ role: roleSchema }),
      response: { 200: member, 403: errorAnswer, 404: errorAnswer, 409: errorAnswer },
    },
  }, async (request) => broker.call("people.changeRole", { ...scope(request), userId: request.params.userId, role: request.body.role }));

  app.delete("/v1/admin/members/:userId", {
    config: auth,
    schema: { tags, params: userParams, summary: "Remove a member (the last owner cannot be removed: 409 LAST_OWNER)", response: { 204: z.null(), 403: errorAnswer, 404: errorAnswer, 409: errorAnswer } },
  }, async (request, reply) => {
    await broker.call("people.removeMember", { ...scope(request), userId: request.params.userId });
    return reply.code(204).send(null);
  });

  app.get("/v1/admin/invites", {
    config: auth,
    schema: { tags, summary: "Invitations not yet accepted or expired", response: { 200: z.object({ invites: z.array(invite) }) } },
  }, async (request) => ({ invites: await broker.call<z.infer<typeof invite>[], object>("people.listInvites", { tenantId: scope(request).tenantId }) }));

  app.post("/v1/admin/invites", {
    config: auth,
    schema: {
      tags, summary: "Invite someone by email with a role; the link is valid for 7 days, mailed through SMTP_URL when configured (else logged), and answered here to pass on too",
      body: newInvite,
      response: { 201: inviteCreated, 403: errorAnswer, 409: errorAnswer },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("people.invite", { ...scope(request), ...request.body, baseUrl: baseUrl(request) })));

  // A new tenant's first owner: the operator invites them (a tenant's own keys cannot grant owner).
  app.post("/v1/admin/tenants/:tenantId/invites", {
    config: { auth: "operator" },
    schema: {
      tags, params: z.strictObject({ tenantId: z.uuid() }), summary: "The operator invites someone into a tenant with any role (its first owner, typically)",
      body: newInvite,
      response: { 201: inviteCreated, 404: errorAnswer, 409: errorAnswer },
    },
  }, async (request, reply) => {
    await broker.call("tenants.get", { tenantId: request.params.tenantId });
    const operator: Actor = { role: "owner", userId: null };
    return reply.code(201).send(await broker.call("people.invite", { tenantId: request.params.tenantId, actor: operator, ...request.body, baseUrl: baseUrl(request) }));
  });

  app.delete("/v1/admin/invites/:inviteId", {
    config: auth,
    schema: { tags, params: z.strictObject({ inviteId: z.uuid() }), summary: "Withdraw an invitation", response: { 204: z.null(), 404: errorAnswer } },
  }, async (request, reply) => {
    await broker.call("people.revokeInvite", { tenantId: scope(request).tenantId, inviteId: request.params.inviteId });
    return reply.code(204).send(null);
  });
};
