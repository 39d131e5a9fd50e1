import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { Link } from "../shell/Link.tsx";
import { navigate } from "../shell/router.ts";
import { timeAgo } from "../shell/time.ts";
import { settingsKeys, webhooksApi, type Delivery } from "./api.ts";
import { ShownOnce } from "./ShownOnce.tsx";

const statusLabel: Record<Delivery["status"], string> = { pending: "pending", delivered: "delivered", failed: "failed" };

/** One webhook: its secret rotated (shown once), paused or deleted, and its delivery log with Redeliver. */
export function WebhookPage({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const hook = useQuery({ queryKey: [...settingsKeys.webhooks, id], queryFn: () => webhooksApi.get(id) });
  const deliveries = useQuery({
    queryKey: settingsKeys.deliveries(id),
    queryFn: () => webhooksApi.deliveries(id),
    // While something is on its way, the log follows it; otherwise it is read now and then.
    refetchInterval: (query) => (query.state.data?.some((d) => d.status === "pending") ? 1000 : 5000),
  });
  const [secret, setSecret] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [deleting, setDeleting] = useState(false);
  const refreshHook = () => queryClient.invalidateQueries({ queryKey: settingsKeys.webhooks });

  const rotate = useMutation({ mutationFn: () => webhooksApi.rotateSecret(id), onSuccess: (rotated) => { setSecret(rotated.secret); setNotice(rotated.overlapEndsAt ? `The old secret keeps signing beside the new one until ${new Date(rotated.overlapEndsAt).toLocaleString()}.` : undefined); } });
  const toggle = useMutation({ mutationFn: (enabled: boolean) => webhooksApi.update(id, { enabled }), onSuccess: (next) => { setNotice(next.enabled ? "Resumed." : "Paused: no events are sent until you resume."); void refreshHook(); } });
  const redeliver = useMutation({
    mutationFn: (delivery: Delivery) => webhooksApi.redeliver(id, delivery.id),
    onSuccess: (_queued, delivery) => { setNotice(`Sending ${delivery.event} again.`); void queryClient.invalidateQueries({ queryKey: settingsKeys.deliveries(id) }); },
    onError: (error) => setNotice(describeError(error)),
  });

  return (
    <section className="settings-section" aria-labelledby="webhook-title">
      <p><Link to="/settings/webhooks">← All webhooks</Link></p>
      {hook.isError && <p role="alert" className="alert">{describeError(hook.error)}</p>}
      {hook.data && (
        <>
          <h2 id="webhook-title" className="mono">{hook.data.url}</h2>
          <p>{hook.data.events.includes("*") ? "All events" : hook.data.events.join(", ")} · <span className={hook.data.enabled ? "badge live" : "badge off"}>{hook.data.enabled ? "active" : "paused"}</span></p>
          <div className="page-actions">
            <button type="button" className="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>Rotate secret</button>
            <button type="button" className="button" onClick={() => toggle.mutate(!hook.data.enabled)} disabled={toggle.isPending}>{hook.data.enabled ? "Pause" : "Resume"}</button>
            <button type="button" className="button danger" onClick={() => setDeleting(true)}>Delete</button>
          </div>
        </>
      )}
      {rotate.isError && <p role="alert" className="alert">{describeError(rotate.error)}</p>}
      {secret && <ShownOnce title="New signing secret" label="Signing secret" value={secret} onDone={() => setSecret(undefined)} />}
      <p role="status" className="notice">{notice}</p>
      <h3>Deliveries</h3>
      {deliveries.isError && <p role="alert" className="alert">{describeError(deliveries.error)}</p>}
      {deliveries.data?.length === 0 && <p className="muted">Nothing sent yet. Deliveries appear here as events happen.</p>}
      {deliveries.data && deliveries.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Deliveries">
          <table className="settings-table">
            <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Response</th><th scope="col">Sent</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {deliveries.data.map((delivery) => (
                <tr key={delivery.id}>
                  <th scope="row">{delivery.event}<div className="muted small mono">{delivery.id}</div></th>
                  <td><span className={delivery.status === "delivered" ? "badge live" : delivery.status === "failed" ? "badge failed" : "badge draft"}>{statusLabel[delivery.status]}</span></td>
                  <td>{delivery.attempts}</td>
                  <td>{delivery.lastStatusCode ?? (delivery.lastError ? <span title={delivery.lastError}>no answer</span> : "—")}</td>
                  <td>{delivery.deliveredAt ? <time dateTime={delivery.deliveredAt}>{new Date(delivery.deliveredAt).toLocaleTimeString()}</time> : timeAgo(delivery.createdAt)}</td>
                  <td className="actions">
                    <button type="button" className="button small" disabled={delivery.status === "pending" || redeliver.isPending} onClick={() => redeliver.mutate(delivery)} aria-label={`Redeliver ${delivery.event} ${delivery.id.slice(0, 8)}`}>Redeliver</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <DeleteDialog id={id} open={deleting} onClose={() => setDeleting(false)} />
    </section>
  );
}

function DeleteDialog({ id, open, onClose }: { id: string; open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => webhooksApi.remove(id),
    onSuccess: () => { onClose(); void queryClient.invalidateQueries({ queryKey: settingsKeys.webhooks }); navigate("/settings/webhooks"); },
  });
  return (
    <Dialog title="Delete this webhook?" open={open} onClose={onClose}>
      <p>No more events are sent to it, and its delivery log is deleted.</p>
      {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>Keep it</button>
        <button type="button" className="button danger-solid" onClick={() => remove.mutate()} disabled={remove.isPending}>Delete webhook</button>
      </div>
    </Dialog>
  );
}
