import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { SchemaField } from "../flows/form/SchemaField.tsx";
import type { JsonSchema } from "../flows/flow-document.ts";
import { crmApi, settingsKeys, type CrmSettings } from "./api.ts";

type Draft = { connector: string; config: Record<string, unknown>; mapping: [string, string][]; defaultCountry: string; overwrite: boolean };

const draftOf = (settings: CrmSettings): Draft => ({
  connector: settings.connector, config: settings.config, mapping: Object.entries(settings.mapping),
  defaultCountry: settings.defaultCountry ?? "US", overwrite: settings.overwrite ?? false,
});

/**
 * The CRM connector: which one, its config (drawn from the connector plugin's schema), the
 * credentials it asks for (write-only: left blank, a stored one is kept), and the mapping from
 * conversation variables to CRM fields.
 */
export function CrmSection() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: settingsKeys.crm, queryFn: crmApi.get });
  const [draft, setDraft] = useState<Draft>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => { if (settings.data && !draft) setDraft(draftOf(settings.data)); }, [settings.data, draft]);
  const save = useMutation({
    mutationFn: crmApi.save,
    onSuccess: (saved) => { queryClient.setQueryData(settingsKeys.crm, saved); setDraft(draftOf(saved)); setNotice(`Saved: the ${saved.connector} connector is in use.`); },
  });
  const connector = settings.data?.connectors?.find((c) => c.name === draft?.connector);
  const sameConnector = draft?.connector === settings.data?.connector;
  const stored = new Set(sameConnector ? settings.data?.credentialNames ?? [] : []);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!draft) return;
    const element = event.currentTarget;
    const form = new FormData(element);
    const credentials = Object.fromEntries((connector?.secrets ?? []).map((s) => [s.name, String(form.get(`credential-${s.name}`) ?? "")]).filter(([, value]) => value !== ""));
    const webhookSecret = String(form.get("webhookSecret") ?? "");
    setNotice(undefined);
    save.mutate({
      connector: draft.connector, config: draft.config, credentials, mapping: Object.fromEntries(draft.mapping.filter(([field, variable]) => field && variable)),
      defaultCountry: draft.defaultCountry, overwrite: draft.overwrite,
      ...(webhookSecret ? { webhookSecret } : {}),
      // Another connector's credentials mean nothing to this one: switching starts afresh.
      keepCredentials: sameConnector,
    }, { onSuccess: () => element.reset() });
  }

  if (settings.isError) return <p role="alert" className="alert">{describeError(settings.error)}</p>;
  if (!settings.data || !draft) return <p role="status">Loading the CRM settings…</p>;
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const schema = connector?.configSchema as JsonSchema | null | undefined;

  return (
    <section className="settings-section" aria-labelledby="crm-title">
      <h2 id="crm-title">CRM</h2>
      <p className="muted">Where leads from your bots go. Credentials are sealed when saved and never shown again; leave a field blank to keep what is stored.</p>
      <form onSubmit={submit} aria-label="CRM connector">
        <label className="field">Connector
          <select value={draft.connector} onChange={(event) => set({ connector: event.target.value, config: {} })}>
            {settings.data.connectors?.map((c) => <option key={c.name} value={c.name} disabled={!c.available}>{c.name}{c.available ? "" : " (not installed)"}</option>)}
          </select>
        </label>
        {connector?.description && <p className="muted small">{connector.description}</p>}
        {schema && Object.keys((schema.properties ?? {}) as object).length > 0 && (
          <fieldset className="group">
            <legend>Connector settings</legend>
            <SchemaField schema={schema} root={schema} name="config" label="Settings" value={draft.config} variables={[]} onChange={(next) => set({ config: (next ?? {}) as Record<string, unknown> })} />
          </fieldset>
        )}
        {draft.connector === "marketplace" && (
          <label className="field">Plugin<input value={String(draft.config.plugin ?? "")} onChange={(event) => set({ config: { ...draft.config, plugin: event.target.value } })} placeholder="@acme/crm" /></label>
        )}
        {connector && connector.secrets.length > 0 && (
          <fieldset className="group">
            <legend>Credentials</legend>
            {connector.secrets.map((secret) => (
              <label key={secret.name} className="field"><span>{secret.name} {stored.has(secret.name) ? <span className="badge live">set</span> : null}</span>
                <input name={`credential-${secret.name}`} type="password" autoComplete="new-password" maxLength={8192} placeholder={stored.has(secret.name) ? "stored: leave blank to keep" : ""} />
                {secret.description && <span className="hint">{secret.description}</span>}
              </label>
            ))}
          </fieldset>
        )}
        <label className="field"><span>Webhook secret {settings.data.webhookSecretSet && sameConnector ? <span className="badge live">set</span> : null}</span>
          <input name="webhookSecret" type="password" autoComplete="new-password" minLength={16} maxLength={200} placeholder={settings.data.webhookSecretSet && sameConnector ? "stored: leave blank to keep" : "optional, at least 16 characters"} />
          <span className="hint">Shared with your CRM to sign the changes it sends back.</span>
        </label>
        <fieldset className="group">
          <legend>Field mapping</legend>
          {draft.mapping.map(([field, variable], index) => (
            <div key={index} className="settings-form">
              <label className="field">CRM field<input value={field} onChange={(event) => set({ mapping: draft.mapping.map((row, i) => (i === index ? [event.target.value, row[1]] : row)) })} /></label>
              <label className="field">From variable<input value={variable} placeholder="user.email" onChange={(event) => set({ mapping: draft.mapping.map((row, i) => (i === index ? [row[0], event.target.value] : row)) })} /></label>
              <button type="button" className="button small subtle" onClick={() => set({ mapping: draft.mapping.filter((_, i) => i !== index) })} aria-label={`Remove the mapping of ${field || "this field"}`}>Remove</button>
            </div>
          ))}
          <button type="button" className="button small" onClick={() => set({ mapping: [...draft.mapping, ["", ""]] })}>Add field</button>
        </fieldset>
        <label className="field">Default country for phone numbers<input value={draft.defaultCountry} maxLength={2} onChange={(event) => set({ defaultCountry: event.target.value.toUpperCase() })} /></label>
        <div className="field check">
          <input id="crm-overwrite" type="checkbox" checked={draft.overwrite} onChange={(event) => set({ overwrite: event.target.checked })} />
          <label htmlFor="crm-overwrite">New values replace what the CRM already has</label>
        </div>
        {save.isError && <p role="alert" className="alert">{describeError(save.error)}</p>}
        <p role="status" className="notice">{notice}</p>
        <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save CRM settings"}</button>
      </form>
    </section>
  );
}
