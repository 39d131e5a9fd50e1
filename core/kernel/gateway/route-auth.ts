import type { FastifyRequest } from "fastify";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "../../sdk/platform-error.ts";
import type { Principal, TenantPrincipal } from "../tenancy/principal.ts";

/** Who may call a route; set per route as `config: { auth }`. */
export type RouteAuth = "public" | "operator" | "tenant-admin" | "operator-or-admin" | "widget" | "integrator";

declare module "fastify" {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}

export function requireTenant(request: FastifyRequest): TenantPrincipal {
  const principal = requirePrincipal(request);
  if (!("tenantId" in principal)) throw new ForbiddenError("This call needs a tenant key");
  return principal;
}

/**
 * The tenant a request may act on. The operator may name any tenant; a tenant admin only its own,
 * and another tenant's id answers 404 exactly as a missing one would.
 */
export function tenantInScope(request: FastifyRequest, tenantId: string): string {
  const principal = requirePrincipal(request);
  if (principal.kind === "operator") return tenantId;
  if ("tenantId" in principal && principal.tenantId === tenantId) return tenantId;
  throw new NotFoundError("Tenant", "TENANT_NOT_FOUND");
}

export function allows(auth: RouteAuth, principal: Principal): boolean {
  switch (auth) {
    case "public": return true;
    case "operator": return principal.kind === "operator";
    case "tenant-admin": return principal.kind === "admin";
    case "operator-or-admin": return principal.kind === "operator" || principal.kind === "admin";
    case "widget": return principal.kind === "widget";
    case "integrator": return principal.kind === "integrator";
  }
}
