import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { timeAgo } from "../shell/time.ts";
import { secretsApi, settingsKeys, type Secret } from "./api.ts";

const NAME = "^[a-z][a-z0-9_]{0,99}$";

/** Hosts as typed: one per line or separated by commas or spaces; the API checks each. */
function hostsOf(text: string): string[] {
  return text.split(/[\s,]+/).map((h) => h.trim()).filter(Boolean);
}

/** Secrets flows use as {{secret:name}}: set and rotated by name; their values are never shown, not even here. */
export function SecretsSection() {
  const queryClient = useQueryClient();
  const secrets = useQuery({ queryKey: settingsKeys.secrets, queryFn: secretsApi.list });
  const [rotating, setRotating] = useState<Secret>();
  const [deleting, setDeleting] = useState<Secret>();
  const [notice, setNotice] = useState<string>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKeys.secrets });
  const [editingHosts, setEditingHosts] = useState<Secret>();
  const save = useMutation({ mutationFn: ({ name, value, hosts }: { name: string; value: string; hosts: string[] }) => secretsApi.set(name, value, hosts), onSuccess: (saved) => { setNotice(`Saved “${saved.name}”.`); void refresh(); } });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    save.mutate({ name: String(form.get("name")).trim(), value: String(form.get("value")), hosts: hostsOf(String(form.get("hosts"))) }, { onSuccess: () => element.reset() });
  }

  return (
    <section className="settings-section" aria-labelledby="secrets-title">
      <h2 id="secrets-title">Secrets</h2>
      <p className="muted">Flows and tools use a secret as <code>{"{{secret:name}}"}</code> in a request's headers or body; it is filled in only when the call leaves the platform, and only toward the hosts you allow for it (never in a URL). Values can be replaced, never read back.</p>
      <form className="settings-form" onSubmit={submit} aria-label="Add a secret">
        <label className="field">Name<input name="name" required pattern={NAME} maxLength={100} placeholder="crm_token" title="lower-case letters, digits and _, starting with a letter" autoComplete="off" /></label>
        <label className="field">Value<input name="value" type="password" required maxLength={16384} autoComplete="new-password" /></label>
        <label className="field">Allowed hosts<input name="hosts" placeholder="api.example.com, *.crm.example" autoComplete="off" aria-describedby="secret-hosts-help" /></label>
        <p id="secret-hosts-help" className="muted small">Where the secret may be sent, separated by commas; <code>*.example.com</code> allows its subdomains. Without hosts it is sent nowhere.</p>
        <button type="submit" className="button primary" disabled={save.isPending}>Save secret</button>
      </form>
      {save.isError && <p role="alert" className="alert">{describeError(save.error)}</p>}
      <p role="status" className="notice">{notice}</p>
      {secrets.isError && <p role="alert" className="alert">{describeError(secrets.error)}</p>}
      {secrets.data?.length === 0 && <p className="muted">No secrets yet.</p>}
      {secrets.data && secrets.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Secrets">
          <table className="settings-table">
            <thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Allowed hosts</th><th scope="col">Changed</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {secrets.data.map((secret) => (
                <tr key={secret.name}>
                  <th scope="row" className="mono">{secret.name}</th>
                  <td><span aria-hidden="true">••••••••</span><span className="visually-hidden">hidden</span></td>
                  <td className="mono">{secret.allowedHosts.length > 0 ? secret.allowedHosts.join(", ") : <span className="muted">none: sent nowhere</span>}</td>
                  <td>{timeAgo(secret.updatedAt)}</td>
                  <td className="actions">
                    <div className="row-actions">
                      <button type="button" className="button small" onClick={() => setEditingHosts(secret)} aria-label={`Allowed hosts of ${secret.name}`}>Hosts</button>
                      <button type="button" className="button small" onClick={() => setRotating(secret)} aria-label={`Rotate ${secret.name}`}>Rotate</button>
                      <button type="button" className="button small danger" onClick={() => setDeleting(secret)} aria-label={`Delete ${secret.name}`}>Delete</button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RotateDialog secret={rotating} onClose={() => setRotating(undefined)} onDone={(name) => { setNotice(`Rotated “${name}”: flows use the new value from their next call.`); void refresh(); }} />
      <HostsDialog secret={editingHosts} onClose={() => setEditingHosts(undefined)} onDone={(name) => { setNotice(`Saved the hosts of “${name}”.`); void refresh(); }} />
      <DeleteDialog secret={deleting} onClose={() => setDeleting(undefined)} onDone={(name) => { setNotice(`Deleted “${name}”.`); void refresh(); }} />
    </section>
  );
}

function RotateDialog({ secret, onClose, onDone }: { secret: Secret | undefined; onClose: () => void; onDone: (name: string) => void }) {
  const rotate = useMutation({ mutationFn: ({ name, value }: { name: string; value: string }) => secretsApi.set(name, value), onSuccess: (saved) => { onClose(); onDone(saved.name); } });
  return (
    <Dialog title={`Rotate ${secret?.name ?? ""}`} open={secret !== undefined} onClose={onClose}>
      <form onSubmit={(event) => { event.preventDefault(); rotate.mutate({ name: secret!.name, value: String(new FormData(event.currentTarget).get("value")) }); }}>
        <label className="field">New value<input name="value" type="password" required maxLength={16384} autoComplete="new-password" autoFocus /></label>
        {rotate.isError && <p role="alert" className="alert">{describeError(rotate.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={rotate.isPending}>Replace value</button>
        </div>
      </form>
    </Dialog>
  );
}

function HostsDialog({ secret, onClose, onDone }: { secret: Secret | undefined; onClose: () => void; onDone: (name: string) => void }) {
  const allow = useMutation({ mutationFn: ({ name, hosts }: { name: string; hosts: string[] }) => secretsApi.allow(name, hosts), onSuccess: (saved) => { onClose(); onDone(saved.name); } });
  return (
    <Dialog title={`Where ${secret?.name ?? ""} may be sent`} open={secret !== undefined} onClose={onClose}>
      <form key={secret?.name} onSubmit={(event) => { event.preventDefault(); allow.mutate({ name: secret!.name, hosts: hostsOf(String(new FormData(event.currentTarget).get("hosts"))) }); }}>
        <label className="field">Allowed hosts<textarea name="hosts" rows={4} defaultValue={secret?.allowedHosts.join("\n")} placeholder="api.example.com" autoFocus /></label>
        <p className="muted small">One host per line; <code>*.example.com</code> allows its subdomains. A flow that sends the secret anywhere else is refused.</p>
        {allow.isError && <p role="alert" className="alert">{describeError(allow.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={allow.isPending}>Save hosts</button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ secret, onClose, onDone }: { secret: Secret | undefined; onClose: () => void; onDone: (name: string) => void }) {
  const remove = useMutation({ mutationFn: (target: Secret) => secretsApi.remove(target.name), onSuccess: (_done, target) => { onClose(); onDone(target.name); } });
  return (
    <Dialog title={`Delete ${secret?.name ?? ""}?`} open={secret !== undefined} onClose={onClose}>
      <p>Flows and tools that use it can no longer fill it in. This cannot be undone.</p>
      {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>Keep it</button>
        <button type="button" className="button danger-solid" onClick={() => remove.mutate(secret!)} disabled={remove.isPending}>Delete secret</button>
      </div>
    </Dialog>
  );
}
