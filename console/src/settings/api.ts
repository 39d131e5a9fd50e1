/**
 * The tenant's settings as the API serves them: keys (core/kernel/tenancy), members and invites
 * (core/modules/people), event webhooks and their deliveries (core/modules/subscriptions),
 * secrets (core/kernel/secrets), usage against the tenant's limits (core/modules/ai) and the
 * audit log (core/modules/audit).
 */
import { api, unwrap, type paths } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

export type Caller = Answer<"/v1/admin/tenant", "get">["caller"];
export type Role = NonNullable<Caller["role"]>;
export type ApiKey = Answer<"/v1/admin/tenants/{tenantId}/keys", "get">["keys"][number];
export type IssuedKey = Answer<"/v1/admin/tenants/{tenantId}/keys", "post">;
export type Member = Answer<"/v1/admin/members", "get">["members"][number];
export type Invite = Answer<"/v1/admin/invites", "get">["invites"][number];
export type InviteCreated = Answer<"/v1/admin/invites", "post">;
export type Webhook = Answer<"/v1/admin/webhooks", "get">["webhooks"][number];
export type CreatedWebhook = Answer<"/v1/admin/webhooks", "post">;
export type Delivery = Answer<"/v1/admin/webhooks/{id}/deliveries", "get">["deliveries"][number];
export type Secret = Answer<"/v1/admin/secrets", "get">["secrets"][number];
export type Usage = Answer<"/v1/admin/usage", "get">;
export type AuditPage = Answer<"/v1/admin/audit", "get">;
export type AuditEntry = AuditPage["entries"][number];
export type CrmSettings = Answer<"/v1/admin/crm", "get">;
export type CrmConnector = NonNullable<CrmSettings["connectors"]>[number];
export type AuditQuery = NonNullable<paths["/v1/admin/audit"]["get"]["parameters"]["query"]>;

const tenant = (tenantId: string) => ({ params: { path: { tenantId } } });
const webhook = (id: string) => ({ params: { path: { id } } });

export const tenantApi = {
  /** The tenant and who the caller is in it (role, key or email). */
  current: () => unwrap(api.GET("/v1/admin/tenant")),
};

export const keysApi = {
  list: async (tenantId: string) => (await unwrap(api.GET("/v1/admin/tenants/{tenantId}/keys", tenant(tenantId)))).keys,
  create: (tenantId: string, body: { label: string; role: Role }) =>
    unwrap(api.POST("/v1/admin/tenants/{tenantId}/keys", { ...tenant(tenantId), body: { kind: "admin", role: body.role, label: body.label, rotate: false } })),
  revoke: async (tenantId: string, keyId: string) => {
    await unwrap(api.DELETE("/v1/admin/tenants/{tenantId}/keys/{keyId}", { params: { path: { tenantId, keyId } } }));
  },
};

export const membersApi = {
  list: async () => (await unwrap(api.GET("/v1/admin/members"))).members,
  changeRole: (userId: string, role: Role) => unwrap(api.PATCH("/v1/admin/members/{userId}", { params: { path: { userId } }, body: { role } })),
  remove: async (userId: string) => { await unwrap(api.DELETE("/v1/admin/members/{userId}", { params: { path: { userId } } })); },
  invites: async () => (await unwrap(api.GET("/v1/admin/invites"))).invites,
  invite: (body: Body<"/v1/admin/invites", "post">) => unwrap(api.POST("/v1/admin/invites", { body })),
  revokeInvite: async (inviteId: string) => { await unwrap(api.DELETE("/v1/admin/invites/{inviteId}", { params: { path: { inviteId } } })); },
};

export const webhooksApi = {
  list: () => unwrap(api.GET("/v1/admin/webhooks")),
  get: (id: string) => unwrap(api.GET("/v1/admin/webhooks/{id}", webhook(id))),
  create: (body: Body<"/v1/admin/webhooks", "post">) => unwrap(api.POST("/v1/admin/webhooks", { body })),
  update: (id: string, body: Body<"/v1/admin/webhooks/{id}", "patch">) => unwrap(api.PATCH("/v1/admin/webhooks/{id}", { ...webhook(id), body })),
  remove: async (id: string) => { await unwrap(api.DELETE("/v1/admin/webhooks/{id}", webhook(id))); },
  rotateSecret: (id: string) => unwrap(api.POST("/v1/admin/webhooks/{id}/rotate-secret", { ...webhook(id), body: {} })),
  deliveries: async (id: string) => (await unwrap(api.GET("/v1/admin/webhooks/{id}/deliveries", { ...webhook(id), params: { path: { id }, query: { limit: 50 } } }))).deliveries,
  redeliver: (id: string, deliveryId: string) => unwrap(api.POST("/v1/admin/webhooks/{id}/deliveries/{deliveryId}/redeliver", { params: { path: { id, deliveryId } } })),
};

export const secretsApi = {
  list: async () => (await unwrap(api.GET("/v1/admin/secrets"))).secrets,
  /** `allowedHosts` left out keeps the hosts the secret had (a rotation). */
  set: (name: string, value: string, allowedHosts?: string[]) => unwrap(api.PUT("/v1/admin/secrets/{name}", { params: { path: { name } }, body: { value, ...(allowedHosts ? { allowedHosts } : {}) } })),
  allow: (name: string, allowedHosts: string[]) => unwrap(api.PATCH("/v1/admin/secrets/{name}", { params: { path: { name } }, body: { allowedHosts } })),
  remove: async (name: string) => { await unwrap(api.DELETE("/v1/admin/secrets/{name}", { params: { path: { name } } })); },
};

export const crmApi = {
  get: () => unwrap(api.GET("/v1/admin/crm")),
  /** The body is checked by the CRM service against core/modules/crm/crm-settings.ts (the route takes any object). */
  save: (body: Record<string, unknown>) => unwrap(api.PUT("/v1/admin/crm", { body })),
};

export const usageApi = {
  get: () => unwrap(api.GET("/v1/admin/usage")),
};

export const auditApi = {
  page: (query: AuditQuery) => unwrap(api.GET("/v1/admin/audit", { params: { query } })),
};

export const settingsKeys = {
  tenant: ["tenant"] as const,
  keys: ["settings", "keys"] as const,
  members: ["settings", "members"] as const,
  invites: ["settings", "invites"] as const,
  webhooks: ["settings", "webhooks"] as const,
  deliveries: (id: string) => ["settings", "webhooks", id, "deliveries"] as const,
  secrets: ["settings", "secrets"] as const,
  usage: ["settings", "usage"] as const,
  crm: ["settings", "crm"] as const,
  audit: (query: AuditQuery) => ["settings", "audit", query] as const,
};
