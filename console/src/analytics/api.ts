/** A bot's analytics as the API serves them (core/modules/analytics/analytics.routes.ts). */
import { request } from "../api/client.ts";

export type Range = { from: string; to: string; channel?: string };
export type DayFigures = { day: string; started: number; completed: number; abandoned: number; handedOff: number; messagesIn: number; messagesOut: number; tokens: number; costUsd: number };
export type Summary = {
  from: string; to: string;
  sessions: { started: number; completed: number; abandoned: number; handedOff: number };
  messages: { in: number; out: number };
  completionRate: number; medianTurns: number | null; tokens: number; costUsd: number;
  byDay: DayFigures[];
  byChannel: { channel: string; started: number; completed: number; abandoned: number; handedOff: number }[];
};
export type NodeFigures = {
  nodeId: string; type: string | null; entered: number; reached: number; left: number; dropOff: number; dropOffRate: number;
  medianSecondsToLeave: number | null; validationFailures: number; errors: number;
};

const query = (range: Range) => new URLSearchParams({ from: range.from, to: range.to, ...(range.channel ? { channel: range.channel } : {}) }).toString();

export const analyticsApi = {
  summary: (botId: string, range: Range) => request<Summary>("GET", `/v1/admin/bots/${botId}/analytics?${query(range)}`),
  nodes: async (botId: string, range: Range) => (await request<{ nodes: NodeFigures[] }>("GET", `/v1/admin/bots/${botId}/analytics/nodes?${query(range)}`)).nodes,
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
