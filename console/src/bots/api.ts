/** Bots as the API serves them (core/engine/bots/bots.service.ts, bots.routes.ts). */
import { request } from "../api/client.ts";
import type { FlowDocument } from "../flows/flow-document.ts";

export type Bot = { id: string; name: string; publishedVersion: number; config: Record<string, unknown>; hasDraft: boolean; createdAt: string; updatedAt: string };
export type BotDetail = Bot & { draftFlow?: unknown };
export type FlowVersion = { version: number; createdAt: string };
export type SaveDraftAnswer = { saved: boolean; problems: { node: string; problem: string }[] };

export const botsApi = {
  list: async () => (await request<{ bots: Bot[] }>("GET", "/v1/admin/bots")).bots,
  get: (botId: string) => request<BotDetail>("GET", `/v1/admin/bots/${botId}`),
  create: (body: { name: string; flow?: unknown; config?: Record<string, unknown> }) => request<Bot>("POST", "/v1/admin/bots", body),
  rename: (botId: string, name: string) => request<Bot>("PATCH", `/v1/admin/bots/${botId}`, { name }),
  remove: (botId: string) => request<void>("DELETE", `/v1/admin/bots/${botId}`),
  saveDraft: (botId: string, flow: FlowDocument) => request<SaveDraftAnswer>("PUT", `/v1/admin/bots/${botId}/flow`, flow),
  publish: (botId: string) => request<{ version: number }>("POST", `/v1/admin/bots/${botId}/publish`),
  versions: async (botId: string) => (await request<{ versions: FlowVersion[] }>("GET", `/v1/admin/bots/${botId}/versions`)).versions,
  version: (botId: string, version: number) => request<{ version: number; flow: FlowDocument; name: string }>("GET", `/v1/admin/bots/${botId}/versions/${version}`),
};

/** The flow an editor opens: the draft when there is one, else the published version. */
export async function currentFlow(botId: string): Promise<{ bot: BotDetail; flow: FlowDocument }> {
  const bot = await botsApi.get(botId);
  if (bot.draftFlow) return { bot, flow: bot.draftFlow as FlowDocument };
  const published = await botsApi.version(botId, bot.publishedVersion);
  return { bot, flow: published.flow };
}

export const botKeys = {
  all: ["bots"] as const,
  detail: (botId: string) => ["bots", botId] as const,
  flow: (botId: string) => ["bots", botId, "flow"] as const,
  versions: (botId: string) => ["bots", botId, "versions"] as const,
  version: (botId: string, version: number) => ["bots", botId, "versions", version] as const,
};
