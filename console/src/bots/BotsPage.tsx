import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { navigate } from "../shell/router.ts";
import { timeAgo } from "../shell/time.ts";
import { botKeys, botsApi, currentFlow, type Bot } from "./api.ts";
import { botTemplates } from "./templates.ts";

type Pending = { kind: "create" } | { kind: "rename"; bot: Bot } | { kind: "delete"; bot: Bot } | undefined;

/** The tenant's bots: status and last activity, and what a person does to a bot as a whole. */
export function BotsPage() {
  const queryClient = useQueryClient();
  const bots = useQuery({ queryKey: botKeys.all, queryFn: botsApi.list });
  const [pending, setPending] = useState<Pending>();
  const [notice, setNotice] = useState<string>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: botKeys.all });

  const duplicate = useMutation({
    mutationFn: async (bot: Bot) => {
      const { flow } = await currentFlow(bot.id);
      return botsApi.create({ name: `${bot.name} (copy)`, flow, config: bot.config });
    },
    onSuccess: (copy) => { setNotice(`Made “${copy.name}”.`); void refresh(); },
    onError: (error) => setNotice(describeError(error)),
  });

  return (
    <Layout title="Bots" actions={<button type="button" className="button primary" onClick={() => setPending({ kind: "create" })}>New bot</button>}>
      <p role="status" className="notice">{notice}</p>
      {bots.isPending && <p role="status">Loading your bots…</p>}
      {bots.isError && <p role="alert" className="alert">{describeError(bots.error)}</p>}
      {bots.data?.length === 0 && (
        <div className="empty">
          <h2>No bots yet</h2>
          <p>Start from a blank canvas or a template.</p>
          <button type="button" className="button primary" onClick={() => setPending({ kind: "create" })}>Create your first bot</button>
        </div>
      )}
      {bots.data && bots.data.length > 0 && (
        <ul className="bot-list" aria-label="Your bots">
          {bots.data.map((bot) => (
            <li key={bot.id} className="bot-row">
              <div className="bot-main">
                <Link to={`/bots/${bot.id}`} className="bot-name">{bot.name}</Link>
                <span className="bot-meta">
                  <span className={bot.hasDraft ? "badge draft" : "badge live"}>{bot.hasDraft ? "Unpublished changes" : "Published"}</span>
                  <span>version {bot.publishedVersion}</span>
                  <span>changed {timeAgo(bot.updatedAt)}</span>
                </span>
              </div>
              <div className="bot-actions">
                <button type="button" className="button small" onClick={() => setPending({ kind: "rename", bot })} aria-label={`Rename ${bot.name}`}>Rename</button>
                <button type="button" className="button small" onClick={() => duplicate.mutate(bot)} disabled={duplicate.isPending} aria-label={`Duplicate ${bot.name}`}>Duplicate</button>
                <button type="button" className="button small danger" onClick={() => setPending({ kind: "delete", bot })} aria-label={`Delete ${bot.name}`}>Delete</button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <CreateBotDialog open={pending?.kind === "create"} onClose={() => setPending(undefined)} />
      <RenameDialog bot={pending?.kind === "rename" ? pending.bot : undefined} onClose={() => setPending(undefined)} onDone={(name) => { setNotice(`Renamed to “${name}”.`); void refresh(); }} />
      <DeleteDialog bot={pending?.kind === "delete" ? pending.bot : undefined} onClose={() => setPending(undefined)} onDone={(name) => { setNotice(`Deleted “${name}”.`); void refresh(); }} />
    </Layout>
  );
}

function CreateBotDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: ({ name, template }: { name: string; template: string }) => botsApi.create({ name, flow: botTemplates.find((t) => t.id === template)!.flow }),
    onSuccess: (bot) => {
      void queryClient.invalidateQueries({ queryKey: botKeys.all });
      onClose();
      navigate(`/bots/${bot.id}`);
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: String(form.get("name")).trim(), template: String(form.get("template")) });
  }
  return (
    <Dialog title="New bot" open={open} onClose={onClose}>
      <form onSubmit={submit}>
        <label className="field">Name<input name="name" required maxLength={200} autoFocus /></label>
        <fieldset className="templates">
          <legend>Start from</legend>
          {botTemplates.map((template, i) => (
            <label key={template.id} className="template-option">
              <input type="radio" name="template" value={template.id} defaultChecked={i === 0} />
              <span><strong>{template.name}</strong><span className="muted">{template.description}</span></span>
            </label>
          ))}
        </fieldset>
        {create.isError && <p role="alert" className="alert">{describeError(create.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={create.isPending}>Create bot</button>
        </div>
      </form>
    </Dialog>
  );
}

function RenameDialog({ bot, onClose, onDone }: { bot: Bot | undefined; onClose: () => void; onDone: (name: string) => void }) {
  const rename = useMutation({ mutationFn: ({ id, name }: { id: string; name: string }) => botsApi.rename(id, name), onSuccess: (renamed) => { onClose(); onDone(renamed.name); } });
  return (
    <Dialog title={`Rename ${bot?.name ?? ""}`} open={bot !== undefined} onClose={onClose}>
      <form onSubmit={(event) => { event.preventDefault(); rename.mutate({ id: bot!.id, name: String(new FormData(event.currentTarget).get("name")).trim() }); }}>
        <label className="field">New name<input name="name" required maxLength={200} defaultValue={bot?.name} autoFocus /></label>
        {rename.isError && <p role="alert" className="alert">{describeError(rename.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={rename.isPending}>Rename</button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ bot, onClose, onDone }: { bot: Bot | undefined; onClose: () => void; onDone: (name: string) => void }) {
  const remove = useMutation({ mutationFn: (target: Bot) => botsApi.remove(target.id), onSuccess: (_done, target) => { onClose(); onDone(target.name); } });
  return (
    <Dialog title={`Delete ${bot?.name ?? ""}?`} open={bot !== undefined} onClose={onClose}>
      <p>The bot, its draft and every published version are deleted. Conversations in progress stop. This cannot be undone.</p>
      {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>Keep it</button>
        <button type="button" className="button danger-solid" onClick={() => remove.mutate(bot!)} disabled={remove.isPending}>Delete bot</button>
      </div>
    </Dialog>
  );
}
