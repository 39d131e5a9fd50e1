import { useSession } from "../auth/session.tsx";

const MANAGERS = new Set(["owner", "admin"]);

/**
 * Whether the signed-in person may install and manage plugins (owner and admin, as
 * core/kernel/tenancy/permissions.ts says). Only to hide what they cannot use: the API refuses the
 * others with 403 whatever the console shows. A key (`sk_…`) signs in as admin unless it was made
 * for a lesser role, which the console cannot see; the API's refusal is then shown as it comes.
 */
export function useCanManagePlugins(): boolean {
  const { session } = useSession();
  if (session.status !== "signed-in") return false;
  if (session.mode === "key") return true;
  const { memberships, currentTenantId } = session.session;
  const current = memberships.find((m) => m.tenantId === currentTenantId) ?? (memberships.length === 1 ? memberships[0] : undefined);
  return current !== undefined && MANAGERS.has(current.role);
}
