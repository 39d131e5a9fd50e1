/** Published versions, newest first: what each changed from the one before, and restoring one as a new version. */
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { timeAgo } from "../shell/time.ts";
import { diffFlows } from "./flow-diff.ts";

export default function VersionsPage({ botId }: { botId: string }) {
  const queryClient = useQueryClient();
  const bot = useQuery({ queryKey: botKeys.detail(botId), queryFn: () => botsApi.get(botId) });
  const versions = useQuery({ queryKey: botKeys.versions(botId), queryFn: () => botsApi.versions(botId) });
  const [chosen, setChosen] = useState<number>();
  const [restoring, setRestoring] = useState<number>();
  const [notice, setNotice] = useState<string>();
  const list = [...(versions.data ?? [])].reverse();
  const shown = chosen ?? list[0]?.version;

  const restore = useMutation({
    mutationFn: async (version: number) => {
      const { flow } = await botsApi.version(botId, version);
      await botsApi.saveDraft(botId, flow);
      return botsApi.publish(botId);
    },
    onSuccess: ({ version }, from) => {
      setRestoring(undefined);
      setNotice(`Version ${from} is live again, as version ${version}.`);
      setChosen(version);
      void queryClient.invalidateQueries({ queryKey: ["bots", botId] });
      void queryClient.invalidateQueries({ queryKey: botKeys.all });
    },
  });

  return (
    <Layout title={`${bot.data?.name ?? "Bot"}: versions`} actions={<Link to={`/bots/${botId}`} className="button">Back to the flow</Link>}>
      <p role="status" className="notice">{notice}</p>
      {versions.isError && <p role="alert" className="alert">{describeError(versions.error)}</p>}
      <div className="versions">
        <ul className="version-list" aria-label="Versions">
          {list.map((v) => (
            <li key={v.version}>
              <button type="button" className={v.version === shown ? "version current" : "version"} aria-pressed={v.version === shown} onClick={() => setChosen(v.version)}>
                <strong>Version {v.version}</strong>
                {v.version === bot.data?.publishedVersion && <span className="badge live">Live</span>}
                <span className="muted small">{timeAgo(v.createdAt)}</span>
              </button>
            </li>
          ))}
        </ul>
        {shown !== undefined && <VersionDiff botId={botId} version={shown} live={bot.data?.publishedVersion} onRestore={() => setRestoring(shown)} />}
      </div>
      <Dialog title={`Restore version ${restoring ?? ""}?`} open={restoring !== undefined} onClose={() => setRestoring(undefined)}>
        <p>Its flow becomes a new published version; conversations in progress finish on the version they started with. Your unpublished draft is replaced.</p>
        {restore.isError && <p role="alert" className="alert">{describeError(restore.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setRestoring(undefined)} autoFocus>Cancel</button>
          <button type="button" className="button primary" onClick={() => restore.mutate(restoring!)} disabled={restore.isPending}>Restore and publish</button>
        </div>
      </Dialog>
    </Layout>
  );
}

function VersionDiff({ botId, version, live, onRestore }: { botId: string; version: number; live: number | undefined; onRestore: () => void }) {
  const current = useQuery({ queryKey: botKeys.version(botId, version), queryFn: () => botsApi.version(botId, version), staleTime: Infinity });
  const previous = useQuery({ queryKey: botKeys.version(botId, version - 1), queryFn: () => botsApi.version(botId, version - 1), staleTime: Infinity, enabled: version > 1 });
  const changes = current.data && (version === 1 ? [] : previous.data ? diffFlows(previous.data.flow, current.data.flow) : undefined);
  return (
    <section className="version-diff" aria-labelledby="diff-title">
      <div className="diff-head">
        <h2 id="diff-title">Version {version}{version > 1 ? `, compared with version ${version - 1}` : ""}</h2>
        {version !== live && <button type="button" className="button" onClick={onRestore}>Restore this version</button>}
      </div>
      {version === 1 && <p className="muted">The first version.{current.data ? ` ${current.data.flow.nodes.length} nodes.` : ""}</p>}
      {changes && changes.length === 0 && version > 1 && <p className="muted">No change to the flow (only its layout, if anything).</p>}
      {changes && changes.length > 0 && (
        <ul className="diff">{changes.map((c, i) => <li key={i} className={`diff-${c.kind}`}><span className="visually-hidden">{c.kind}: </span>{c.text}</li>)}</ul>
      )}
    </section>
  );
}
