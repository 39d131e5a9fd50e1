import type { Role } from "./roles.ts";
import type { TenantTier } from "./tenant.entity.ts";

/**
 * Who is calling, as established by the gateway from the request's key or session cookie.
 * `admin` is a tenant's secret key (sk_): its role is stored with the key, and every key made
 * before roles existed is `admin`. `member` is a person's cookie session acting in one tenant
 * (core/modules/people): the tenant is the `x-tenant-id` header, else the session's current one.
 * Both say who they are (`keyId` and `keyLabel`, the key's label or else its prefix; `email`),
 * so the audit log can name who changed what without looking it up.
 */
export type Principal =
  | { kind: "operator" }
  | { kind: "admin"; tenantId: string; tier: TenantTier; role: Role; keyId: string; keyLabel: string }
  | { kind: "member"; tenantId: string; tier: TenantTier; userId: string; email: string; role: Role }
  | { kind: "widget"; tenantId: string; tier: TenantTier; allowedDomains: string[] }
  | { kind: "integrator"; publisherId: string };

export type TenantPrincipal = Extract<Principal, { tenantId: string }>;
/** The principals that act for a tenant with a role: its keys and its members. */
export type RolePrincipal = Extract<Principal, { role: Role }>;
