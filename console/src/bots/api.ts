/** Bots as the API serves them, through the typed client (core/engine/bots/bots.routes.ts). */
import { api, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";
import type { FlowDocument } from "../flows/flow-document.ts";

export type Bot = Answer<"/v1/admin/bots", "get">["bots"][number];
export type BotDetail = Answer<"/v1/admin/bots/{botId}", "get">;
export type FlowVersion = Answer<"/v1/admin/bots/{botId}/versions", "get">["versions"][number];
export type SaveDraftAnswer = Answer<"/v1/admin/bots/{botId}/flow", "put">;
type CreateBody = { name: string; flow?: unknown; config?: Record<string, unknown> };
const bot = (botId: string) => ({ params: { path: { botId } } });

export const botsApi = {
  list: async () => (await unwrap(api.GET("/v1/admin/bots"))).bots,
  get: (botId: string) => unwrap(api.GET("/v1/admin/bots/{botId}", bot(botId))),
  // The console copies configurations it read from the API, which the server checks again.
  create: (body: CreateBody) => unwrap(api.POST("/v1/admin/bots", { body: body as { name: string } })),
  rename: (botId: string, name: string) => unwrap(api.PATCH("/v1/admin/bots/{botId}", { ...bot(botId), body: { name } })),
  remove: async (botId: string) => { await unwrap(api.DELETE("/v1/admin/bots/{botId}", bot(botId))); },
  /** `baseRevision`: the draft revision the document builds on; someone else's save since then answers 409 DRAFT_CONFLICT. */
  saveDraft: (botId: string, flow: FlowDocument, baseRevision?: number) =>
    unwrap(api.PUT("/v1/admin/bots/{botId}/flow", { params: { path: { botId }, ...(baseRevision !== undefined ? { header: { "if-match": `"${baseRevision}"` } } : {}) }, body: flow })),
  publish: (botId: string) => unwrap(api.POST("/v1/admin/bots/{botId}/publish", bot(botId))),
  versions: async (botId: string) => (await unwrap(api.GET("/v1/admin/bots/{botId}/versions", bot(botId)))).versions,
  version: async (botId: string, version: number) => {
    const answer = await unwrap(api.GET("/v1/admin/bots/{botId}/versions/{version}", { params: { path: { botId, version } } }));
    // The document types a flow as any JSON (the flow validator checks it); the console reads it as the flow document.
    return { ...answer, flow: answer.flow as FlowDocument };
  },
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
