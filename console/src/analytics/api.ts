/** A bot's analytics as the API serves them, through the typed client (core/modules/analytics/analytics.routes.ts). */
import { api, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type Range = { from: string; to: string; channel?: string };
export type Summary = Answer<"/v1/admin/bots/{botId}/analytics", "get">;
export type DayFigures = Summary["byDay"][number];
export type NodeFigures = Answer<"/v1/admin/bots/{botId}/analytics/nodes", "get">["nodes"][number];

const params = (botId: string, range: Range) => ({
  params: { path: { botId }, query: { from: range.from, to: range.to, ...(range.channel ? { channel: range.channel } : {}) } },
});

/**
 * Each view also answers CSV (`?format=csv` or `Accept: text/csv`), so its documented 200 is JSON
 * or a string. The console never asks for CSV (the client sends `Accept: application/json` and
 * parses JSON), so the answer is the JSON one.
 */
const json = <T>(answer: Promise<T | string>) => answer as Promise<T>;

export const analyticsApi = {
  summary: (botId: string, range: Range) => json(unwrap(api.GET("/v1/admin/bots/{botId}/analytics", params(botId, range)))),
  nodes: async (botId: string, range: Range) => (await json(unwrap(api.GET("/v1/admin/bots/{botId}/analytics/nodes", params(botId, range))))).nodes,
};

export const analyticsKeys = {
  summary: (botId: string, range: Range) => ["bots", botId, "analytics", range] as const,
  nodes: (botId: string, range: Range) => ["bots", botId, "analytics", "nodes", range] as const,
};

/** The last `days` days up to today, in UTC as the API counts them. */
export function lastDays(days: number): Range {
  const to = new Date().toISOString().slice(0, 10);
  return { from: new Date(Date.parse(to) - (days - 1) * 86_400_000).toISOString().slice(0, 10), to };
}

export type IntentFigures = Answer<"/v1/admin/bots/{botId}/analytics/intents", "get">;
export type SentimentFigures = Answer<"/v1/admin/bots/{botId}/analytics/sentiment", "get">;

export const analyticsViewsApi = {
  intents: (botId: string, range: Range) => json(unwrap(api.GET("/v1/admin/bots/{botId}/analytics/intents", params(botId, range)))),
  sentiment: (botId: string, range: Range) => json(unwrap(api.GET("/v1/admin/bots/{botId}/analytics/sentiment", params(botId, range)))),
  /** A view as CSV text (`?format=csv`), through the client so a key sign-in works too. */
  csv: async (botId: string, view: "intents" | "sentiment", range: Range) => {
    const { params: { path, query } } = params(botId, range);
    const answer = api.GET(`/v1/admin/bots/{botId}/analytics/${view}`, { params: { path, query: { ...query, format: "csv" } }, parseAs: "text", headers: { accept: "text/csv" } });
    return String(await unwrap(answer));
  },
};

export const analyticsViewKeys = {
  intents: (botId: string, range: Range) => ["bots", botId, "analytics", "intents", range] as const,
  sentiment: (botId: string, range: Range) => ["bots", botId, "analytics", "sentiment", range] as const,
};
