import { useState } from "react";
import { describeError } from "../api/client.ts";
import { navigate } from "../shell/router.ts";
import { useSession } from "./session.tsx";

/**
 * For a person in several tenants: which one the console acts in (`PATCH /v1/auth/session`).
 * Shown only when there is a choice; the API decides what the person may do in each.
 */
export function TenantPicker() {
  const { session, switchTenant } = useSession();
  const [error, setError] = useState<string>();
  if (session.status !== "signed-in" || session.mode !== "cookie") return null;
  const { memberships, currentTenantId } = session.session;
  if (memberships.length < 2) return null;
  return (
    <label className="tenant-picker">
      <span>Tenant</span>
      <select
        value={currentTenantId ?? ""}
        onChange={(event) => {
          setError(undefined);
          switchTenant(event.target.value).then(() => navigate("/bots"), (failed: unknown) => setError(describeError(failed)));
        }}
      >
        {memberships.map((m) => <option key={m.tenantId} value={m.tenantId}>{m.tenantName} ({m.role})</option>)}
      </select>
      {error && <span role="alert" className="field-error">{error}</span>}
    </label>
  );
}
