/**
 * The Analytics page's Intents and Sentiment sections: messages per intent over the period (a
 * table, and a line per intent by day), and the average sentiment by day and by node, each with a
 * CSV download of its view (core/modules/analytics/analytics.routes.ts).
 */
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { analyticsViewKeys, analyticsViewsApi, type Range } from "../analytics/api.ts";
import { TimeChart, type Series } from "../analytics/TimeChart.tsx";
import { Link } from "../shell/Link.tsx";
import "./intents.css";

const palette = ["#2f5bd3", "#1f8a4c", "#c2410c", "#7c3aed", "#0e7490", "#a16207", "#be185d", "#4b5563"];
const intentLabel = (intent: string | null) => intent ?? "none";
const mood = (value: number | null) => value === null ? "–" : value.toFixed(2);

/** Every day from `from` to `to`, as the charts draw a point per day. */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** A button that fetches a view as CSV and saves it (a plain link would not carry a key sign-in). */
function CsvDownload({ botId, view, range, label }: { botId: string; view: "intents" | "sentiment"; range: Range; label: string }) {
  const [problem, setProblem] = useState("");
  const download = async () => {
    setProblem("");
    try {
      const url = URL.createObjectURL(new Blob([await analyticsViewsApi.csv(botId, view, range)], { type: "text/csv" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `analytics-${view}-${range.from}-${range.to}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      setProblem(describeError(error));
    }
  };
  return (
    <div className="csv">
      <button type="button" className="button" onClick={() => void download()}>{label}</button>
      {problem && <p role="alert" className="alert">{problem}</p>}
    </div>
  );
}

export function IntentsSection({ botId, range }: { botId: string; range: Range }) {
  const figures = useQuery({ queryKey: analyticsViewKeys.intents(botId, range), queryFn: () => analyticsViewsApi.intents(botId, range) });
  const data = figures.data;
  const days = useMemo(() => data ? daysBetween(data.from, data.to) : [], [data]);
  const series: Series[] = useMemo(() => data ? data.intents.slice(0, palette.length).map((row, i) => {
    const perDay = new Map(data.byDay.filter((d) => d.intent === row.intent).map((d) => [d.day, d.messages]));
    return { label: intentLabel(row.intent), values: days.map((day) => perDay.get(day) ?? 0), color: palette[i]! };
  }) : [], [data, days]);
  return (
    <section aria-labelledby="intents-title" className="intent-figures">
      <h2 id="intents-title">Intents</h2>
      <p className="muted small">Messages by the intent they matched (<code>none</code>: no intent of the bot was close). <Link to={`/bots/${botId}/intents`}>Edit the intents</Link>.</p>
      {figures.isError && <p role="alert" className="alert">{describeError(figures.error)}</p>}
      {data && (data.intents.length === 0 ? <p className="muted">No messages in this period.</p> : (
        <>
          <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="intents-title">
            <table className="figures">
              <thead><tr><th scope="col">Intent</th><th scope="col">Messages</th><th scope="col">Average sentiment</th></tr></thead>
              <tbody>{data.intents.map((row) => (
                <tr key={intentLabel(row.intent)}><th scope="row">{intentLabel(row.intent)}</th><td>{row.messages}</td><td>{mood(row.averageSentiment)}</td></tr>
              ))}</tbody>
            </table>
          </div>
          <TimeChart title="Messages by intent and day" days={days} series={series} height={180} />
        </>
      ))}
      <CsvDownload botId={botId} view="intents" range={range} label="Download intents by day (CSV)" />
    </section>
  );
}

export function SentimentSection({ botId, range }: { botId: string; range: Range }) {
  const figures = useQuery({ queryKey: analyticsViewKeys.sentiment(botId, range), queryFn: () => analyticsViewsApi.sentiment(botId, range) });
  const data = figures.data;
  const days = useMemo(() => data ? daysBetween(data.from, data.to) : [], [data]);
  const series: Series[] = useMemo(() => {
    if (!data) return [];
    const perDay = new Map(data.byDay.map((d) => [d.day, d.averageSentiment]));
    // uPlot leaves a gap for a day with no message (null), rather than drawing it as neutral.
    return [{ label: "Average sentiment", values: days.map((day) => perDay.get(day) ?? null) as number[], color: "#0e7490" }];
  }, [data, days]);
  return (
    <section aria-labelledby="sentiment-title" className="intent-figures">
      <h2 id="sentiment-title">Sentiment</h2>
      <p className="muted small">The average sentiment of users' messages, from -1 (upset) to 1 (pleased).</p>
      {figures.isError && <p role="alert" className="alert">{describeError(figures.error)}</p>}
      {data && (data.byDay.length === 0 ? <p className="muted">No messages in this period.</p> : (
        <>
          <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="sentiment-day-title">
            <table className="figures">
              <caption id="sentiment-day-title">By day</caption>
              <thead><tr><th scope="col">Day</th><th scope="col">Messages</th><th scope="col">Average sentiment</th></tr></thead>
              <tbody>{data.byDay.map((d) => <tr key={d.day}><th scope="row">{d.day}</th><td>{d.messages}</td><td>{mood(d.averageSentiment)}</td></tr>)}</tbody>
            </table>
          </div>
          <TimeChart title="Average sentiment by day" days={days} series={series} height={160} />
          {data.byNode.length > 0 && (
            <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="sentiment-node-title">
              <table className="figures">
                <caption id="sentiment-node-title">By node (the messages answering it)</caption>
                <thead><tr><th scope="col">Node</th><th scope="col">Average sentiment</th></tr></thead>
                <tbody>{data.byNode.map((n) => <tr key={n.nodeId}><th scope="row">{n.nodeId}</th><td>{mood(n.averageSentiment)}</td></tr>)}</tbody>
              </table>
            </div>
          )}
        </>
      ))}
      <CsvDownload botId={botId} view="sentiment" range={range} label="Download sentiment by node (CSV)" />
    </section>
  );
}
