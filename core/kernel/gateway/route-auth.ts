import type { FastifyRequest } from "fastify";
import { ForbiddenError, NotFoundError, PlatformErrorCode, UnauthorizedError } from "../../sdk/platform-error.ts";
import { leastRoleFor } from "../tenancy/permissions.ts";
import type { Principal, TenantPrincipal } from "../tenancy/principal.ts";
import { roleAtLeast } from "../tenancy/roles.ts";

/**
 * Who may call a route; set per route as `config: { auth }`. `tenant-admin` admits a tenant's
 * keys and its members' sessions, whose role permissions.ts then checks per route; `signed-in`
 * admits any session cookie (a person, with or without a tenant, or the operator).
 */
export type RouteAuth = "public" | "operator" | "tenant-admin" | "operator-or-admin" | "widget" | "integrator" | "signed-in";

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
  if (!("tenantId" in principal)) throw new ForbiddenError(PlatformErrorCode.forbidden, "This call needs a tenant key");
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
  throw new NotFoundError("TENANT_NOT_FOUND", "Tenant");
}

export function allows(auth: RouteAuth, principal: Principal): boolean {
  switch (auth) {
    case "public": return true;
    case "operator": return principal.kind === "operator";
    case "tenant-admin": return principal.kind === "admin" || principal.kind === "member";
    case "operator-or-admin": return principal.kind === "operator" || principal.kind === "admin" || principal.kind === "member";
    case "widget": return principal.kind === "widget";
    case "integrator": return principal.kind === "integrator";
    case "signed-in": return principal.kind === "operator" || principal.kind === "member";
  }
}

/**
 * Roles, for keys and cookies alike: a principal with a role may call a route only when its role
 * reaches the route's least role (permissions.ts). `pattern` is the route as registered.
 */
export function assertRolePermits(auth: RouteAuth, principal: Principal, method: string, pattern: string): void {
  // A signed-in route (the session itself) is every member's, whatever their role.
  if (!("role" in principal) || auth === "signed-in") return;
  const least = leastRoleFor(method, pattern);
  if (least === "operator" || !roleAtLeast(principal.role, least)) {
    throw new ForbiddenError("ROLE_FORBIDDEN", `The ${principal.role} role may not do this; it needs ${least === "operator" ? "the operator" : `${least} or above`}`);
  }
}
