/**
 * A bot's intents: each with its example phrases (a typed message is matched against them, so the
 * flow's intent node can branch and analytics can count them). Editors and up create one, change
 * its phrases or delete it; others read. The API's refusals show on the field they concern.
 */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { useRoleAtLeast } from "../auth/role.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { fieldErrors, intentKeys, intentsApi, phrasesOf, type Intent } from "./api.ts";
import "./intents.css";

export default function IntentsPage({ botId }: { botId: string }) {
  const mayEdit = useRoleAtLeast("editor");
  const bot = useQuery({ queryKey: botKeys.detail(botId), queryFn: () => botsApi.get(botId) });
  const intents = useQuery({ queryKey: intentKeys.list(botId), queryFn: () => intentsApi.list(botId) });
  const [notice, setNotice] = useState("");

  return (
    <Layout title={bot.data ? `${bot.data.name} · Intents` : "Intents"} actions={<>
      <Link to={`/bots/${botId}/analytics`} className="button">Analytics</Link>
      <Link to={`/bots/${botId}`} className="button">Back to the flow</Link>
    </>}>
      <p className="muted">Every message a user types is compared with these example phrases; the closest intent is in <code>temp.intent</code> (<code>none</code> when nothing is close), an intent node branches on it, and the Analytics page counts messages per intent.</p>
      <p className="notice" role="status">{notice}</p>
      {mayEdit && <CreateForm botId={botId} onCreated={(name) => setNotice(`Intent ${name} created.`)} />}
      <section aria-labelledby="intents-title">
        <h2 id="intents-title">Intents{intents.data ? ` (${intents.data.length})` : ""}</h2>
        {intents.isError && <p role="alert" className="alert">{describeError(intents.error)}</p>}
        {intents.isPending && <p role="status">Loading the intents…</p>}
        {intents.data?.length === 0 && <p className="muted">This bot has no intents yet.{mayEdit ? " Create one above." : ""}</p>}
        {intents.data && intents.data.length > 0 && (
          <ul className="intent-list" aria-label="Intents">
            {intents.data.map((intent) => <IntentItem key={intent.id} botId={botId} intent={intent} mayEdit={mayEdit} onNotice={setNotice} />)}
          </ul>
        )}
      </section>
    </Layout>
  );
}

function CreateForm({ botId, onCreated }: { botId: string; onCreated: (name: string) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [phrases, setPhrases] = useState("");
  const create = useMutation({
    mutationFn: () => intentsApi.create(botId, { name: name.trim(), examples: phrasesOf(phrases) }),
    onSuccess: (intent) => {
      void queryClient.invalidateQueries({ queryKey: intentKeys.list(botId) });
      setName("");
      setPhrases("");
      onCreated(intent.name);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="intent-form" aria-labelledby="new-intent-title" onSubmit={submit} noValidate>
      <h2 id="new-intent-title">New intent</h2>
      <label className="field">Name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="order_status" autoComplete="off" spellCheck={false}
          aria-invalid={errors?.name ? true : undefined} aria-describedby="new-intent-name-hint new-intent-name-error" />
        <span id="new-intent-name-hint" className="muted small">Lowercase letters, digits and _; it names the intent node's branch.</span>
        {errors?.name && <span id="new-intent-name-error" className="field-error">{errors.name}</span>}
      </label>
      <label className="field">Example phrases, one per line
        <textarea value={phrases} onChange={(e) => setPhrases(e.target.value)} rows={4} placeholder={"where is my order\ntrack my parcel"}
          aria-invalid={errors?.examples ? true : undefined} aria-describedby="new-intent-examples-error" />
        {errors?.examples && <span id="new-intent-examples-error" className="field-error">{errors.examples}</span>}
      </label>
      {errors?.[""] && <p role="alert" className="alert">{errors[""]}</p>}
      <button type="submit" className="button primary" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create intent"}</button>
    </form>
  );
}

function IntentItem({ botId, intent, mayEdit, onNotice }: { botId: string; intent: Intent; mayEdit: boolean; onNotice: (text: string) => void }) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [phrases, setPhrases] = useState(intent.examples.join("\n"));
  const refresh = () => queryClient.invalidateQueries({ queryKey: intentKeys.list(botId) });
  const save = useMutation({
    mutationFn: () => intentsApi.update(botId, intent.id, phrasesOf(phrases)),
    onSuccess: () => {
      void refresh();
      setEditing(false);
      onNotice(`Phrases of ${intent.name} saved.`);
    },
  });
  const remove = useMutation({
    mutationFn: () => intentsApi.remove(botId, intent.id),
    onSuccess: () => {
      setConfirming(false);
      void refresh();
      onNotice(`Intent ${intent.name} deleted.`);
    },
  });
  const errors = fieldErrors(save.error);
  const titleId = `intent-${intent.id}-title`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <li className="intent" aria-labelledby={titleId}>
      <div className="intent-head">
        <h3 id={titleId}>{intent.name}</h3>
        {mayEdit && !editing && (
          <div className="intent-actions">
            <button type="button" className="button" onClick={() => { setPhrases(intent.examples.join("\n")); setEditing(true); }} aria-label={`Edit phrases of ${intent.name}`}>Edit phrases</button>
            <button type="button" className="button danger" onClick={() => setConfirming(true)} aria-label={`Delete ${intent.name}`}>Delete</button>
          </div>
        )}
      </div>
      {intent.description && <p className="muted small">{intent.description}</p>}
      {editing ? (
        <form onSubmit={submit} aria-label={`Phrases of ${intent.name}`} noValidate>
          <label className="field">Example phrases, one per line
            <textarea value={phrases} onChange={(e) => setPhrases(e.target.value)} rows={Math.max(3, intent.examples.length + 1)} autoFocus
              aria-invalid={errors?.examples ? true : undefined} aria-describedby={`${titleId}-error`} />
            {errors?.examples && <span id={`${titleId}-error`} className="field-error">{errors.examples}</span>}
          </label>
          {(errors?.[""] || errors?.name) && <p role="alert" className="alert">{errors[""] || errors.name}</p>}
          <div className="intent-actions">
            <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save phrases"}</button>
            <button type="button" className="button" onClick={() => { setEditing(false); save.reset(); }}>Cancel</button>
          </div>
        </form>
      ) : (
        <ul className="phrases" aria-label={`Example phrases of ${intent.name}`}>
          {intent.examples.map((phrase, i) => <li key={i}>{phrase}</li>)}
        </ul>
      )}
      <Dialog title={`Delete the intent ${intent.name}?`} open={confirming} onClose={() => setConfirming(false)}>
        <p>Messages will no longer be matched to it, and an intent node's <code>{intent.name}</code> branch will not be taken. Analytics keep the messages already counted.</p>
        {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
        <div className="intent-actions">
          <button type="button" className="button danger-solid" onClick={() => remove.mutate()} disabled={remove.isPending}>{remove.isPending ? "Deleting…" : "Delete"}</button>
          <button type="button" className="button" onClick={() => setConfirming(false)}>Keep it</button>
        </div>
      </Dialog>
    </li>
  );
}
