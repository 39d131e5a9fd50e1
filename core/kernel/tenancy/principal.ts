import type { TenantTier } from "./tenant.entity.ts";

/** Who is calling, as established by the gateway from the request's key. */
export type Principal =
  | { kind: "operator" }
  | { kind: "admin"; tenantId: string; tier: TenantTier }
  | { kind: "widget"; tenantId: string; tier: TenantTier; allowedDomains: string[] }
  | { kind: "integrator"; publisherId: string };

export type TenantPrincipal = Extract<Principal, { tenantId: string }>;
