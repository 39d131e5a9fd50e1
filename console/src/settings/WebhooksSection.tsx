import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Link } from "../shell/Link.tsx";
import { settingsKeys, webhooksApi, type CreatedWebhook } from "./api.ts";
import { ShownOnce } from "./ShownOnce.tsx";

/** Event webhooks: which URL gets which events; a new one's signing secret is shown once. */
export function WebhooksSection() {
  const queryClient = useQueryClient();
  const webhooks = useQuery({ queryKey: settingsKeys.webhooks, queryFn: webhooksApi.list });
  const [created, setCreated] = useState<CreatedWebhook>();
  const [all, setAll] = useState(true);
  const create = useMutation({
    mutationFn: webhooksApi.create,
    onSuccess: (hook) => { setCreated(hook); void queryClient.invalidateQueries({ queryKey: settingsKeys.webhooks }); },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const events = all ? ["*"] : form.getAll("event").map(String);
    create.mutate({ url: String(form.get("url")).trim(), events }, { onSuccess: () => { element.reset(); setAll(true); } });
  }

  return (
    <section className="settings-section" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Event webhooks</h2>
      <p className="muted">The platform POSTs each event to your URL, signed as Standard Webhooks says (verify it with the signing secret).</p>
      <form className="settings-form" onSubmit={submit} aria-label="Add a webhook">
        <label className="field">URL<input name="url" type="url" required maxLength={2048} placeholder="https://example.com/hooks/bot" /></label>
        <fieldset className="events-pick">
          <legend>Events</legend>
          <label><input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} /> All events</label>
          {!all && webhooks.data?.events.map((name) => <label key={name}><input type="checkbox" name="event" value={name} /> {name}</label>)}
        </fieldset>
        <button type="submit" className="button primary" disabled={create.isPending}>Add webhook</button>
      </form>
      {create.isError && <p role="alert" className="alert">{describeError(create.error)}</p>}
      {created && <ShownOnce title={`Signing secret of ${created.url}`} label="Signing secret" value={created.secret} onDone={() => setCreated(undefined)} />}
      {webhooks.isError && <p role="alert" className="alert">{describeError(webhooks.error)}</p>}
      {webhooks.data?.webhooks.length === 0 && <p className="muted">No webhooks yet.</p>}
      {webhooks.data && webhooks.data.webhooks.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Webhooks">
          <table className="settings-table">
            <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">State</th></tr></thead>
            <tbody>
              {webhooks.data.webhooks.map((hook) => (
                <tr key={hook.id}>
                  <th scope="row" className="mono"><Link to={`/settings/webhooks/${hook.id}`} aria-label={`Deliveries of ${hook.url}`}>{hook.url}</Link></th>
                  <td>{hook.events.includes("*") ? "all events" : hook.events.join(", ")}</td>
                  <td><span className={hook.enabled ? "badge live" : "badge off"}>{hook.enabled ? "active" : "paused"}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
