/**
 * One vendor channel of a bot (WhatsApp, Twilio, or any channel plugin): its form drawn from the
 * channel's own JSON Schemas, its secrets (set or not, never shown), the webhook URLs to give the
 * vendor, and a check that asks the vendor whether the credentials work before they are saved.
 */
import { useId, useRef, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import type { JsonSchema } from "../flows/flow-document.ts";
import { defaultFor, labelFor, requiredOf, resolve, typeOf } from "../flows/form/json-schema.ts";
import { SchemaField } from "../flows/form/SchemaField.tsx";
import { Dialog } from "../shell/Dialog.tsx";
import { timeAgo } from "../shell/time.ts";
import { channelKeys, channelsApi, type BotChannel, type CredentialCheck } from "./api.ts";
import { CopyField } from "./CopyField.tsx";
import { SecretField } from "./SecretField.tsx";

/** Names people know a channel by; any other channel plugin shows its own name. */
const DISPLAY_NAMES: Record<string, string> = { whatsapp: "WhatsApp", twilio: "Twilio (SMS and voice)" };
export const channelTitle = (name: string) => DISPLAY_NAMES[name] ?? name.charAt(0).toUpperCase() + name.slice(1);

/** `voiceStatus` → "Voice status URL"; SMS stays in capitals. */
function webhookLabel(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().replace(/\bsms\b/g, "SMS");
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} URL`;
}

type Outcome = { kind: "error"; message: string } | { kind: "saved" } | undefined;

export function ChannelCard({ botId, channel }: { botId: string; channel: BotChannel }) {
  const queryClient = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const configSchema = channel.configSchema as JsonSchema;
  const secretsSchema = channel.secretsSchema as JsonSchema;
  const [config, setConfig] = useState<Record<string, unknown>>(() => (channel.config ?? defaultFor(configSchema, configSchema) ?? {}) as Record<string, unknown>);
  // A secret left undefined keeps the stored value; a string replaces it.
  const [secrets, setSecrets] = useState<Record<string, string | undefined>>({});
  const [outcome, setOutcome] = useState<Outcome>();
  // What the vendor said about the values in the form; forgotten as soon as one of them changes.
  const [checked, setChecked] = useState<CredentialCheck>();
  const [removing, setRemoving] = useState(false);
  const title = channelTitle(channel.channel);
  const headingId = `channel-${channel.channel}`;

  const body = () => ({ ...config, ...Object.fromEntries(Object.entries(secrets).filter(([, value]) => value)) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: channelKeys.ofBot(botId) });

  const check = useMutation({
    mutationFn: () => channelsApi.check(botId, channel.channel, body()),
    onMutate: () => { setOutcome(undefined); setChecked(undefined); },
    onSuccess: (answer) => {
      setChecked(answer);
      // The platform keeps the answer (lastCheck): read it again so the card says it after a reload too.
      void refresh();
    },
    onError: (error) => setOutcome({ kind: "error", message: describeError(error) }),
  });
  const save = useMutation({
    mutationFn: () => channelsApi.save(botId, channel.channel, body()),
    onMutate: () => setOutcome(undefined),
    onSuccess: async () => {
      setSecrets({});
      setOutcome({ kind: "saved" });
      await refresh();
    },
    onError: (error) => setOutcome({ kind: "error", message: describeError(error) }),
  });
  const remove = useMutation({
    mutationFn: () => channelsApi.remove(botId, channel.channel),
    onSuccess: async () => {
      setRemoving(false);
      setSecrets({});
      setOutcome(undefined);
      setChecked(undefined);
      await refresh();
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate();
  }

  const secretNames = Object.keys((secretsSchema.properties ?? {}) as Record<string, JsonSchema>);
  const isSet = (name: string) => channel.secrets.find((s) => s.name === name)?.set === true;
  const busy = check.isPending || save.isPending;

  return (
    <section className="channel-card" aria-labelledby={headingId} id={channel.channel}>
      <div className="channel-head">
        <h2 id={headingId}>{title}</h2>
        {checked ? (
          <span className={checked.connected ? "badge live" : "badge danger"}>{checked.connected ? "Connected" : "Not connected"}</span>
        ) : channel.lastCheck ? (
          <span className={channel.lastCheck.connected ? "badge live" : "badge danger"}>{channel.lastCheck.connected ? "Connected" : "Not connected"}</span>
        ) : (
          <span className={channel.configured ? "badge live" : "badge draft"}>{channel.configured ? "Set up" : "Not set up"}</span>
        )}
      </div>
      {channel.lastCheck && <LastCheckLine check={channel.lastCheck} />}
      {channel.description && <p className="muted small">{channel.description}</p>}

      <form ref={form} className="channel-form" onSubmit={submit} aria-label={`${title} settings`}>
        <ConfigFields schema={configSchema} value={config} onChange={(next) => { setChecked(undefined); setConfig(next); }} />
        {secretNames.map((name) => (
          <SecretField key={name} name={name} schema={((secretsSchema.properties ?? {}) as Record<string, JsonSchema>)[name]!} set={isSet(name)} value={secrets[name]}
            onChange={(value) => { setChecked(undefined); setSecrets((s) => ({ ...s, [name]: value })); }} />
        ))}

        <div className="check-result" role="status" aria-live="polite">
          {check.isPending && <p className="muted">Asking {title}…</p>}
          {checked?.connected && <p className="notice">Connected: {checked.account}. These credentials work.</p>}
          {checked && !checked.connected && <p className="alert">Not connected: {checked.problem?.message}</p>}
          {outcome?.kind === "error" && <p className="alert">{outcome.message}</p>}
          {outcome?.kind === "saved" && <p className="notice">Saved. {title.split(" ")[0]} reaches this bot once it has the URLs below.</p>}
        </div>
        <div className="form-actions">
          {channel.checksCredentials && (
            <button type="button" className="button" disabled={busy} onClick={() => { if (form.current?.reportValidity()) check.mutate(); }}>
              {check.isPending ? "Checking…" : "Check credentials"}
            </button>
          )}
          <button type="submit" className="button primary" disabled={busy}>{save.isPending ? "Saving…" : channel.configured ? "Save changes" : `Connect ${title.split(" ")[0]}`}</button>
          {channel.configured && <button type="button" className="button danger" onClick={() => setRemoving(true)}>Disconnect</button>}
        </div>
      </form>

      <div className="webhooks">
        <h3>Give {title.split(" ")[0]} these URLs</h3>
        <p className="hint">Where the vendor asks for a webhook or callback URL. {channel.configured ? "" : "Connect first: the vendor checks them at once."}</p>
        {Object.entries(channel.webhooks).map(([name, url]) => <CopyField key={name} label={webhookLabel(name)} value={url} />)}
      </div>

      <Dialog title={`Disconnect ${title}?`} open={removing} onClose={() => setRemoving(false)}>
        <p>Its secrets are deleted and messages sent to it no longer reach this bot.</p>
        {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setRemoving(false)} autoFocus>Cancel</button>
          <button type="button" className="button danger-solid" onClick={() => remove.mutate()} disabled={remove.isPending}>Disconnect</button>
        </div>
      </Dialog>
    </section>
  );
}

/** What the vendor said the last time the stored credentials were checked (kept by the platform). */
function LastCheckLine({ check }: { check: NonNullable<BotChannel["lastCheck"]> }) {
  return (
    <p className={check.connected ? "last-check small" : "last-check small failed"}>
      Last checked <time dateTime={check.checkedAt} title={new Date(check.checkedAt).toLocaleString()}>{timeAgo(check.checkedAt)}</time>:{" "}
      {check.connected ? `connected${check.account ? ` as ${check.account}` : ""}.` : `not connected. ${check.problem?.message ?? ""}`}
    </p>
  );
}

/**
 * The channel's configuration, field by field from its schema. An optional group (WhatsApp's
 * template) is offered behind a checkbox, so its own required fields are asked for only once the
 * admin wants it.
 */
function ConfigFields({ schema, value, onChange }: { schema: JsonSchema; value: Record<string, unknown>; onChange: (next: Record<string, unknown>) => void }) {
  const id = useId();
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = requiredOf(schema);
  const set = (key: string, next: unknown) => {
    const copy = { ...value };
    if (next === undefined) delete copy[key];
    else copy[key] = next;
    onChange(copy);
  };
  return (
    <>
      {Object.entries(properties).map(([key, inner]) => {
        const resolved = resolve(inner, schema);
        // A setting the channel no longer reads (JSON Schema's `deprecated`): kept as saved, not offered.
        if (resolved.deprecated === true) return null;
        const label = labelFor(key, resolved);
        if (typeOf(resolved) === "object" && !required.has(key)) {
          return (
            <div key={key} className="optional-group">
              <div className="field check">
                <input id={`${id}-${key}`} type="checkbox" checked={value[key] !== undefined} aria-describedby={typeof resolved.description === "string" ? `${id}-${key}-hint` : undefined}
                  onChange={(event) => set(key, event.target.checked ? defaultFor(resolved, schema) : undefined)} />
                <label htmlFor={`${id}-${key}`}>{label}</label>
              </div>
              {typeof resolved.description === "string" && <p id={`${id}-${key}-hint`} className="hint">{resolved.description}</p>}
              {value[key] !== undefined && (
                <div className="group" role="group" aria-label={label}>
                  <SchemaField schema={{ ...resolved, description: undefined }} root={schema} name={key} label={label} value={value[key]} variables={[]} depth={0} onChange={(next) => set(key, next)} />
                </div>
              )}
            </div>
          );
        }
        return <SchemaField key={key} schema={inner} root={schema} name={key} label={label} value={value[key]} required={required.has(key)} variables={[]} depth={1} onChange={(next) => set(key, next)} />;
      })}
    </>
  );
}
