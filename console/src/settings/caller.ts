/**
 * Who the signed-in person or key is in the tenant, as the API says (`caller` of
 * GET /v1/admin/tenant), and what that role may do (CONSOLE.md's table; the API's is
 * core/kernel/tenancy/permissions.ts). Pages hide what a role cannot do; the API refuses it anyway.
 */
import { useQuery } from "@tanstack/react-query";
import { settingsKeys, tenantApi, type Role } from "./api.ts";

export const roles: readonly Role[] = ["owner", "admin", "editor", "agent", "viewer"];

/** Whether `role` may do what `least` may (each role may do all the roles after it may). */
export function roleAtLeast(role: Role | undefined, least: Role): boolean {
  return role !== undefined && roles.indexOf(role) <= roles.indexOf(least);
}

/** The roles a caller may hand out (to a key or a person): never more than their own. */
export function grantableRoles(role: Role | undefined): Role[] {
  return roles.filter((r) => roleAtLeast(role, r));
}

export function useTenant() {
  return useQuery({ queryKey: settingsKeys.tenant, queryFn: tenantApi.current, staleTime: 60_000 });
}

/** The caller's role, once known. */
export function useRole(): Role | undefined {
  return useTenant().data?.caller.role;
}
