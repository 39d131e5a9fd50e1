import { useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { settingsKeys, usageApi } from "./api.ts";

const number = new Intl.NumberFormat("en");

/** This month's use against the tenant's quotas, and the limits it runs under. */
export function UsageSection() {
  const usage = useQuery({ queryKey: settingsKeys.usage, queryFn: usageApi.get });
  const limits = usage.data?.limits;
  return (
    <section className="settings-section" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage this month{usage.data ? ` (${usage.data.month})` : ""}</h2>
      {usage.isPending && <p role="status">Loading usage…</p>}
      {usage.isError && <p role="alert" className="alert">{describeError(usage.error)}</p>}
      {usage.data && (
        <>
          {usage.data.tier && <p>Plan: <strong>{usage.data.tier}</strong></p>}
          <Quota id="ai-tokens" label="AI tokens" used={usage.data.used} quota={usage.data.quota} />
          {limits && <Quota id="messages" label="Messages from your users" used={limits.messagesPerMonth.used} quota={limits.messagesPerMonth.quota} />}
          {limits && (
            <dl className="limits" aria-label="Limits">
              <div><dt>API requests a minute</dt><dd>{number.format(limits.requestsPerMinute)}</dd></div>
              <div><dt>Messages a minute, per user</dt><dd>{number.format(limits.messagesPerMinutePerUser)}</dd></div>
              <div><dt>Idle sessions expire after</dt><dd>{limits.sessionTtlDays} days</dd></div>
              <div><dt>History kept for</dt><dd>{limits.retentionDays} days</dd></div>
            </dl>
          )}
          <h3>AI tokens by month and model</h3>
          {usage.data.byMonthAndModel.length === 0 ? <p className="muted">No model calls yet.</p> : (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="AI tokens by month and model">
              <table className="settings-table">
                <thead><tr><th scope="col">Month</th><th scope="col">Model</th><th scope="col">Input tokens</th><th scope="col">Output tokens</th></tr></thead>
                <tbody>
                  {usage.data.byMonthAndModel.map((row, i) => (
                    <tr key={i}><th scope="row">{String(row.month ?? "")}</th><td>{String(row.model ?? "")}</td><td>{number.format(Number(row.inputTokens ?? 0))}</td><td>{number.format(Number(row.outputTokens ?? 0))}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function Quota({ id, label, used, quota }: { id: string; label: string; used: number; quota: number }) {
  const share = quota > 0 ? used / quota : 0;
  return (
    <div className="meter-row">
      <label htmlFor={`quota-${id}`}><strong>{label}</strong>: {number.format(used)} of {number.format(quota)} ({Math.min(100, Math.round(share * 1000) / 10)}%)</label>
      <meter id={`quota-${id}`} min={0} max={quota} low={quota * 0.8} high={quota * 0.95} optimum={0} value={Math.min(used, quota)} />
    </div>
  );
}
