import { useState, type FormEvent } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { auditApi, settingsKeys, type AuditQuery } from "./api.ts";
import { summary } from "./audit-summary.ts";

const methods = ["POST", "PUT", "PATCH", "DELETE"] as const;
/** The day a date input names, as the API's ISO time at its start (local midnight). */
const dayStart = (day: string) => (day ? new Date(`${day}T00:00:00`).toISOString() : undefined);
const dayEnd = (day: string) => (day ? new Date(new Date(`${day}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined);

/** Who changed what, newest first: filtered by who, route, method and days; more on request. */
export function AuditSection() {
  const [filter, setFilter] = useState<Omit<AuditQuery, "cursor" | "limit">>({});
  const log = useInfiniteQuery({
    queryKey: settingsKeys.audit(filter),
    queryFn: ({ pageParam }) => auditApi.page({ ...filter, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = log.data?.pages.flatMap((page) => page.entries) ?? [];

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    const method = text("method") as AuditQuery["method"];
    setFilter({ actor: text("actor"), route: text("route"), method, from: dayStart(String(form.get("from") ?? "")), to: dayEnd(String(form.get("to") ?? "")) });
  }

  return (
    <section className="settings-section" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <p className="muted">Every change made through the API or this console, by whom. Values (secrets, keys) are never recorded.</p>
      <form className="settings-form" onSubmit={submit} aria-label="Filter the audit log">
        <label className="field">Who<input name="actor" maxLength={320} placeholder="email or key label" /></label>
        <label className="field">Route contains<input name="route" maxLength={300} placeholder="/keys" /></label>
        <label className="field">Change
          <select name="method" defaultValue="">
            <option value="">any</option>
            {methods.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <label className="field">From<input name="from" type="date" /></label>
        <label className="field">To<input name="to" type="date" /></label>
        <button type="submit" className="button">Filter</button>
      </form>
      {log.isError && <p role="alert" className="alert">{describeError(log.error)}</p>}
      {log.isPending && <p role="status">Loading the audit log…</p>}
      {log.data && entries.length === 0 && <p className="muted">No changes match.</p>}
      {entries.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Audit log entries">
          <table className="settings-table">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td><time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time></td>
                  <th scope="row">{entry.actor.label}<div className="muted small">{entry.actor.kind === "key" ? "API key" : entry.actor.kind}{entry.role ? ` · ${entry.role}` : ""}</div></th>
                  <td>
                    {summary(entry)}
                    <div className="muted small mono">{entry.method} {entry.route}</div>
                    {Object.entries(entry.target).map(([name, value]) => <div key={name} className="muted small mono">{name}: {value}</div>)}
                  </td>
                  <td>{entry.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage && <button type="button" className="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>{log.isFetchingNextPage ? "Loading…" : "Show older changes"}</button>}
    </section>
  );
}
