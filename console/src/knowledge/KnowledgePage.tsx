/**
 * A bot's knowledge (after Dify's knowledge pages): files dropped or chosen, web pages and site
 * crawls added, each source's status moving live, re-ingest and delete, and a playground that
 * shows what the bot retrieves for a question. Editors change it; everyone else reads it.
 */
import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { useRoleAtLeast } from "../auth/role.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { knowledgeApi, knowledgeKeys, type IngestOutcome, type Source } from "./api.ts";
import { DropZone } from "./DropZone.tsx";
import { SearchPlayground } from "./SearchPlayground.tsx";
import { SourceList } from "./SourceList.tsx";
import { useUploads } from "./use-uploads.ts";
import { WebSourceForms } from "./WebSourceForms.tsx";
import "./knowledge.css";

/** How often the list is read again while a source is processing. */
const POLL_MS = 1000;

export default function KnowledgePage({ botId }: { botId: string }) {
  const queryClient = useQueryClient();
  const canEdit = useRoleAtLeast("editor");
  const bot = useQuery({ queryKey: botKeys.detail(botId), queryFn: () => botsApi.get(botId) });
  const sources = useQuery({
    queryKey: knowledgeKeys.sources(botId),
    queryFn: () => knowledgeApi.list(botId),
    refetchInterval: (query) => (query.state.data?.some((s) => s.status === "processing") ? POLL_MS : false),
  });
  const [notice, setNotice] = useState<{ text: string; error?: boolean }>();
  const [deleting, setDeleting] = useState<Source>();

  /** A source the server accepted (new, or read again) shows at once as it answered, then polls. */
  function accepted(outcome: IngestOutcome) {
    queryClient.setQueryData<Source[]>(knowledgeKeys.sources(botId), (list = []) =>
      list.some((s) => s.id === outcome.source.id) ? list.map((s) => (s.id === outcome.source.id ? outcome.source : s)) : [...list, outcome.source]);
    if (outcome.unchanged) setNotice({ text: `${outcome.source.name} has not changed: nothing was embedded again.` });
    else if (outcome.status === "processing") setNotice({ text: `${outcome.source.name} is being processed.` });
    void queryClient.invalidateQueries({ queryKey: knowledgeKeys.sources(botId), exact: true });
  }
  const { uploads, add, dismiss } = useUploads(botId, accepted, (refused) => setNotice({ text: `${refused.name} was not added: ${refused.error}`, error: true }));

  // Say when a source finishes, for those who cannot watch its badge change.
  const seen = useRef(new Map<string, string>());
  useEffect(() => {
    if (!sources.data) return;
    const finished: string[] = [];
    let failed = false;
    for (const source of sources.data) {
      const before = seen.current.get(source.id);
      if (before === "processing" && source.status === "ready") finished.push(`${source.name} is ready: ${source.chunks} ${source.chunks === 1 ? "passage" : "passages"}.`);
      if (before === "processing" && source.status === "failed") {
        finished.push(`${source.name} failed: ${source.error?.message ?? "no reason given"}`);
        failed = true;
      }
      seen.current.set(source.id, source.status);
    }
    if (finished.length > 0) setNotice({ text: finished.join(" "), error: failed });
  }, [sources.data]);

  const reingest = useMutation({
    mutationFn: (source: Source) => knowledgeApi.reingest(botId, source.id),
    onSuccess: accepted,
    onError: (error, source) => {
      setNotice({ text: `${source.name} could not be read again: ${describeError(error)}`, error: true });
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.sources(botId), exact: true });
    },
  });

  const list = sources.data ?? [];
  return (
    <Layout title={`${bot.data?.name ?? "Bot"}: knowledge`} actions={<Link to={`/bots/${botId}`} className="button">Open the flow</Link>}>
      <p role="status" className={notice?.error ? "notice error" : "notice"}>{notice?.text}</p>
      {canEdit ? (
        <section className="knowledge-section" aria-labelledby="add-title">
          <h2 id="add-title">Add knowledge</h2>
          <div className="add-grid">
            <DropZone onFiles={add} />
            <WebSourceForms botId={botId} onAccepted={accepted} />
          </div>
        </section>
      ) : (
        <p className="muted">You can read this bot&rsquo;s knowledge. Adding, searching, re-ingesting and deleting sources needs the editor role.</p>
      )}
      <section className="knowledge-section" aria-labelledby="sources-title">
        <h2 id="sources-title">Sources{list.length > 0 ? ` (${list.length})` : ""}</h2>
        {sources.isError && <p role="alert" className="alert">{describeError(sources.error)}</p>}
        {sources.isPending && <p role="status">Loading the sources…</p>}
        {sources.data && list.length === 0 && uploads.length === 0 && (
          <div className="empty">
            <h3>No knowledge yet</h3>
            <p className="muted">{canEdit ? "Drop a document above or add a web page: the bot answers from what it finds in them." : "An editor adds documents and web pages here."}</p>
          </div>
        )}
        {(list.length > 0 || uploads.length > 0) && (
          <SourceList
            sources={list} uploads={uploads} canEdit={canEdit} busy={reingest.isPending ? reingest.variables?.id : undefined}
            onReingest={(source) => reingest.mutate(source)} onDelete={setDeleting} onDismiss={(upload) => dismiss(upload.id)}
          />
        )}
      </section>
      {canEdit && <SearchPlayground botId={botId} sources={list} />}
      <DeleteDialog botId={botId} source={deleting} onClose={() => setDeleting(undefined)} onDone={(name) => setNotice({ text: `Deleted ${name}.` })} />
    </Layout>
  );
}

function DeleteDialog({ botId, source, onClose, onDone }: { botId: string; source: Source | undefined; onClose: () => void; onDone: (name: string) => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (target: Source) => knowledgeApi.remove(botId, target.id),
    onSuccess: (_done, target) => {
      queryClient.setQueryData<Source[]>(knowledgeKeys.sources(botId), (list = []) => list.filter((s) => s.id !== target.id));
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.sources(botId) });
      onClose();
      onDone(target.name);
    },
  });
  return (
    <Dialog title={`Delete ${source?.name ?? ""}?`} open={source !== undefined} onClose={() => { remove.reset(); onClose(); }}>
      <p>{source && source.chunks > 0 ? `Its ${source.chunks} ${source.chunks === 1 ? "passage leaves" : "passages leave"} the bot's knowledge at once.` : "It leaves the bot's knowledge at once."} This cannot be undone; add it again to bring it back.</p>
      {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>Keep it</button>
        <button type="button" className="button danger-solid" onClick={() => remove.mutate(source!)} disabled={remove.isPending}>Delete source</button>
      </div>
    </Dialog>
  );
}
