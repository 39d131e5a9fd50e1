import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { timeAgo } from "../shell/time.ts";
import { keysApi, settingsKeys, type ApiKey, type IssuedKey, type Role } from "./api.ts";
import { grantableRoles } from "./caller.ts";
import { ShownOnce } from "./ShownOnce.tsx";

/** The tenant's API keys: made with a label and a role (never above the maker's), shown once, revoked at once. */
export function KeysSection({ role, tenantId }: { role: Role; tenantId: string }) {
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: settingsKeys.keys, queryFn: () => keysApi.list(tenantId) });
  const [issued, setIssued] = useState<IssuedKey>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const [notice, setNotice] = useState<string>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKeys.keys });

  const create = useMutation({
    mutationFn: (body: { label: string; role: Role }) => keysApi.create(tenantId, body),
    onSuccess: (key) => { setIssued(key); setNotice(undefined); void refresh(); },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    create.mutate({ label: String(form.get("label")).trim(), role: String(form.get("role")) as Role }, { onSuccess: () => element.reset() });
  }
  const active = keys.data?.filter((k) => k.revokedAt === null) ?? [];
  const revoked = keys.data?.filter((k) => k.revokedAt !== null) ?? [];

  return (
    <section className="settings-section" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="muted">Keys let scripts and other systems call the API as the role you give them. A key is shown once, when it is made.</p>
      <form className="settings-form" onSubmit={submit} aria-label="Create an API key">
        <label className="field">Label<input name="label" required maxLength={100} placeholder="CI deploys" /></label>
        <label className="field">Role
          <select name="role" defaultValue={grantableRoles(role).includes("editor") ? "editor" : role}>
            {grantableRoles(role).map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <button type="submit" className="button primary" disabled={create.isPending}>Create key</button>
      </form>
      {create.isError && <p role="alert" className="alert">{describeError(create.error)}</p>}
      {issued && <ShownOnce title={`New key “${issued.label}”`} label="New key" value={issued.key} onDone={() => setIssued(undefined)} />}
      <p role="status" className="notice">{notice}</p>
      {keys.isPending && <p role="status">Loading keys…</p>}
      {keys.isError && <p role="alert" className="alert">{describeError(keys.error)}</p>}
      {keys.data && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="API keys">
          <table className="settings-table">
            <thead><tr><th scope="col">Label</th><th scope="col">Role</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {active.map((key) => (
                <tr key={key.id}>
                  <th scope="row">{key.label ?? <span className="muted">(no label)</span>}</th>
                  <td>{key.kind === "widget" ? "widget (public)" : key.role}</td>
                  <td className="mono">{key.prefix}</td>
                  <td>{timeAgo(key.createdAt)}</td>
                  <td className="actions"><button type="button" className="button small danger" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.label ?? key.prefix}`}>Revoke</button></td>
                </tr>
              ))}
              {active.length === 0 && <tr><td colSpan={5} className="muted">No active keys.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      {revoked.length > 0 && (
        <details>
          <summary>{revoked.length} revoked {revoked.length === 1 ? "key" : "keys"}</summary>
          <ul className="plain-list">
            {revoked.map((key) => <li key={key.id}>{key.label ?? key.prefix} <span className="mono">{key.prefix}</span> <span className="badge off">revoked {timeAgo(key.revokedAt!)}</span></li>)}
          </ul>
        </details>
      )}
      <RevokeDialog tenantId={tenantId} apiKey={revoking} onClose={() => setRevoking(undefined)} onDone={(name) => { setNotice(`Revoked “${name}”. It stops working at once.`); void refresh(); }} />
    </section>
  );
}

function RevokeDialog({ tenantId, apiKey, onClose, onDone }: { tenantId: string; apiKey: ApiKey | undefined; onClose: () => void; onDone: (name: string) => void }) {
  const name = apiKey?.label ?? apiKey?.prefix ?? "";
  const revoke = useMutation({ mutationFn: (key: ApiKey) => keysApi.revoke(tenantId, key.id), onSuccess: () => { onClose(); onDone(name); } });
  return (
    <Dialog title={`Revoke “${name}”?`} open={apiKey !== undefined} onClose={onClose}>
      <p>Every script or system using this key is refused from now on. This cannot be undone.</p>
      {revoke.isError && <p role="alert" className="alert">{describeError(revoke.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>Keep it</button>
        <button type="button" className="button danger-solid" onClick={() => revoke.mutate(apiKey!)} disabled={revoke.isPending}>Revoke key</button>
      </div>
    </Dialog>
  );
}
