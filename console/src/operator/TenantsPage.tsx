/**
 * The operator's tenants: each one's plan, bots, usage this month and age; a new tenant is created
 * here and its keys are shown once.
 */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Layout } from "../shell/Layout.tsx";
import { Dialog } from "../shell/Dialog.tsx";
import { operatorApi, operatorKeys, type CreatedTenant } from "./api.ts";
import "./operator.css";

const number = new Intl.NumberFormat("en");

export default function TenantsPage() {
  const tenants = useQuery({ queryKey: operatorKeys.tenants, queryFn: operatorApi.tenants });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedTenant>();
  const [notice, setNotice] = useState<string>();
  return (
    <Layout title="Tenants" actions={<button type="button" className="button primary" onClick={() => setCreating(true)}>New tenant</button>}>
      <p className="notice" role="status" aria-live="polite">{notice}</p>
      {created && <NewKeys tenant={created} onDone={() => setCreated(undefined)} />}
      {tenants.isPending && <p role="status">Loading tenants…</p>}
      {tenants.isError && <p role="alert" className="alert">{describeError(tenants.error)}</p>}
      {tenants.data && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Tenants">
          <table className="operator-table">
            <caption className="visually-hidden">Tenants, with their plan, bots and usage this month</caption>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Plan</th><th scope="col" className="num">Bots</th><th scope="col" className="num">Messages this month</th><th scope="col" className="num">AI tokens this month</th><th scope="col">Created</th></tr>
            </thead>
            <tbody>
              {tenants.data.map((tenant) => (
                <tr key={tenant.id}>
                  <th scope="row">{tenant.name}<span className="muted small tenant-id">{tenant.id}</span></th>
                  <td><span className={`badge ${tenant.tier === "paid" ? "live" : "tag"}`}>{tenant.tier}</span></td>
                  <td className="num">{number.format(tenant.bots)}</td>
                  <td className="num">{number.format(tenant.usage.messages)}</td>
                  <td className="num">{number.format(tenant.usage.aiTokens)}</td>
                  <td><time dateTime={tenant.createdAt}>{new Date(tenant.createdAt).toLocaleDateString("en", { year: "numeric", month: "short", day: "numeric" })}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
          {tenants.data.length === 0 && <p className="muted">No tenants yet.</p>}
        </div>
      )}
      <CreateTenantDialog open={creating} onClose={() => setCreating(false)} onCreated={(tenant) => { setCreating(false); setCreated(tenant); setNotice(`Created tenant “${tenant.name}”.`); }} />
    </Layout>
  );
}

function CreateTenantDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (tenant: CreatedTenant) => void }) {
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: operatorApi.createTenant,
    onSuccess: (tenant) => {
      void queryClient.invalidateQueries({ queryKey: operatorKeys.tenants });
      onCreated(tenant);
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: String(form.get("name")).trim(), tier: form.get("tier") === "paid" ? "paid" : "free" });
  }
  return (
    <Dialog title="New tenant" open={open} onClose={() => { create.reset(); onClose(); }}>
      <form onSubmit={submit}>
        {create.isError && <p role="alert" className="alert">{describeError(create.error)}</p>}
        <label className="field">Name<input name="name" required maxLength={200} autoFocus autoComplete="off" /></label>
        <label className="field">Plan
          <select name="tier" defaultValue="free"><option value="free">free</option><option value="paid">paid</option></select>
        </label>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create tenant"}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** The new tenant's keys, shown once: the owner's secret key and the widget key. */
function NewKeys({ tenant, onDone }: { tenant: CreatedTenant; onDone: () => void }) {
  return (
    <section className="shown-once" aria-label={`Keys of ${tenant.name}`}>
      <h2>Keys of {tenant.name}</h2>
      <p>Give the owner's key to the tenant now: it is shown this once and cannot be seen again.</p>
      <div className="field"><label htmlFor="new-admin-key">Owner's secret key</label><input id="new-admin-key" readOnly value={tenant.keys.admin} onFocus={(event) => event.currentTarget.select()} /></div>
      <div className="field"><label htmlFor="new-widget-key">Widget key</label><input id="new-widget-key" readOnly value={tenant.keys.widget} onFocus={(event) => event.currentTarget.select()} /></div>
      <button type="button" className="button small primary" onClick={onDone}>I have passed them on</button>
    </section>
  );
}
