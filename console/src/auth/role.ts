/**
 * The signed-in person's role in the tenant the console shows, so a page can hide what the role
 * cannot do. Only hiding: the API refuses it anyway (core/kernel/tenancy/permissions.ts).
 */
import type { Membership } from "./api.ts";
import { useSession } from "./session.tsx";

export type Role = Membership["role"];

// Most to least, as core/kernel/tenancy/roles.ts orders them.
const order: readonly Role[] = ["owner", "admin", "editor", "agent", "viewer"];

/** The role: a member's in the current tenant; a tenant admin key is role admin. */
export function useRole(): Role | undefined {
  const { session } = useSession();
  if (session.status !== "signed-in") return undefined;
  if (session.mode === "key") return "admin";
  const { memberships, currentTenantId } = session.session;
  return memberships.find((m) => m.tenantId === currentTenantId)?.role;
}

/** Whether the signed-in person may do what `least` may. */
export function useRoleAtLeast(least: Role): boolean {
  const role = useRole();
  return role !== undefined && order.indexOf(role) <= order.indexOf(least);
}
