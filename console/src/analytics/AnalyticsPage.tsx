/** A bot's dashboard: sessions and how they ended, channels, tokens and cost over time, and each node's drop-off. */
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { analyticsApi, analyticsKeys, lastDays, type Range } from "./api.ts";
import { TimeChart } from "./TimeChart.tsx";
import { IntentsSection, SentimentSection } from "../intents/IntentAnalytics.tsx";

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const periods = [7, 30, 90, 365] as const;

export default function AnalyticsPage({ botId }: { botId: string }) {
  const [days, setDays] = useState<(typeof periods)[number]>(30);
  const [channel, setChannel] = useState("");
  const range: Range = useMemo(() => ({ ...lastDays(days), ...(channel ? { channel } : {}) }), [days, channel]);
  const bot = useQuery({ queryKey: botKeys.detail(botId), queryFn: () => botsApi.get(botId) });
  const summary = useQuery({ queryKey: analyticsKeys.summary(botId, range), queryFn: () => analyticsApi.summary(botId, range) });
  const nodes = useQuery({ queryKey: analyticsKeys.nodes(botId, range), queryFn: () => analyticsApi.nodes(botId, range) });
  // Channels offered: those seen over the last year, whatever the filter.
  const channels = useQuery({ queryKey: analyticsKeys.summary(botId, lastDays(365)), queryFn: () => analyticsApi.summary(botId, lastDays(365)), select: (s) => s.byChannel.map((c) => c.channel) });
  const s = summary.data;
  const dayList = useMemo(() => s?.byDay.map((d) => d.day) ?? [], [s]);
  const sessionSeries = useMemo(() => s ? [
    { label: "Started", values: s.byDay.map((d) => d.started), color: "#2f5bd3" },
    { label: "Completed", values: s.byDay.map((d) => d.completed), color: "#1f8a4c" },
    { label: "Abandoned", values: s.byDay.map((d) => d.abandoned), color: "#c2410c" },
  ] : [], [s]);
  const tokenSeries = useMemo(() => s ? [{ label: "Tokens", values: s.byDay.map((d) => d.tokens), color: "#7c3aed" }] : [], [s]);

  return (
    <Layout title={`${bot.data?.name ?? "Bot"}: analytics`} actions={<Link to={`/bots/${botId}`} className="button">Open the flow</Link>}>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>Period{" "}
          <select value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof periods)[number])}>
            {periods.map((p) => <option key={p} value={p}>Last {p} days</option>)}
          </select>
        </label>
        <label>Channel{" "}
          <select value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">All channels</option>
            {(channels.data ?? []).map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
      </form>
      {summary.isError && <p role="alert" className="alert">{describeError(summary.error)}</p>}
      {!s && !summary.isError && <p role="status">Loading the figures…</p>}
      {s && (
        <>
          <section aria-labelledby="sessions-title">
            <h2 id="sessions-title">Sessions from {s.from} to {s.to}</h2>
            <dl className="stats">
              <div><dt>Started</dt><dd>{s.sessions.started}</dd></div>
              <div><dt>Completed</dt><dd>{s.sessions.completed}</dd></div>
              <div><dt>Completion rate</dt><dd>{percent(s.completionRate)}</dd></div>
              <div><dt>Abandoned</dt><dd>{s.sessions.abandoned}</dd></div>
              <div><dt>Handed off</dt><dd>{s.sessions.handedOff}</dd></div>
              <div><dt>Median turns</dt><dd>{s.medianTurns ?? "–"}</dd></div>
              <div><dt>Messages in / out</dt><dd>{s.messages.in} / {s.messages.out}</dd></div>
              <div><dt>Tokens</dt><dd>{s.tokens}</dd></div>
              <div><dt>Cost</dt><dd>${s.costUsd.toFixed(2)}</dd></div>
            </dl>
            <TimeChart title="Sessions by day" days={dayList} series={sessionSeries} />
            <TimeChart title="Tokens by day" days={dayList} series={tokenSeries} height={160} />
          </section>
          <section aria-labelledby="channels-title">
            <h2 id="channels-title">Channels</h2>
            {s.byChannel.length === 0 ? <p className="muted">No sessions in this period.</p> : (
              <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="channels-title"><table className="figures">
                <thead><tr><th scope="col">Channel</th><th scope="col">Started</th><th scope="col">Completed</th><th scope="col">Abandoned</th><th scope="col">Handed off</th></tr></thead>
                <tbody>{s.byChannel.map((c) => <tr key={c.channel}><th scope="row">{c.channel || "(none)"}</th><td>{c.started}</td><td>{c.completed}</td><td>{c.abandoned}</td><td>{c.handedOff}</td></tr>)}</tbody>
              </table></div>
            )}
          </section>
        </>
      )}
      <section aria-labelledby="nodes-title">
        <h2 id="nodes-title">Where people drop off</h2>
        <p className="muted small">A session drops off at the node where it was waiting when it expired or the user ended it. The flow editor shows the same figures on each node.</p>
        {nodes.isError && <p role="alert" className="alert">{describeError(nodes.error)}</p>}
        {nodes.data && (
          <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="nodes-title">
            <table className="figures">
              <thead><tr><th scope="col">Node</th><th scope="col">Reached</th><th scope="col">Left</th><th scope="col">Dropped off</th><th scope="col">Drop-off rate</th><th scope="col">Median seconds to leave</th><th scope="col">Wrong answers</th><th scope="col">Errors</th></tr></thead>
              <tbody>{nodes.data.map((n) => (
                <tr key={n.nodeId}>
                  <th scope="row">{n.nodeId} <span className="muted small">{n.type ?? ""}</span></th>
                  <td>{n.reached}</td><td>{n.left}</td><td>{n.dropOff}</td><td>{percent(n.dropOffRate)}</td>
                  <td>{n.medianSecondsToLeave ?? "–"}</td><td>{n.validationFailures}</td><td>{n.errors}</td>
                </tr>
              ))}</tbody>
            </table>
          </div>
        )}
      </section>
      <IntentsSection botId={botId} range={range} />
      <SentimentSection botId={botId} range={range} />
    </Layout>
  );
}
