/** A bot's knowledge as the API serves it, through the typed client (core/modules/knowledge/knowledge.routes.ts). */
import { api, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type Source = Answer<"/v1/admin/bots/{botId}/knowledge", "get">["sources"][number];
export type Passage = Answer<"/v1/admin/bots/{botId}/knowledge/search", "get">["passages"][number];
/** 202 (accepted, processing), 201 (new and ready) or 200 (re-read; maybe unchanged): one shape. */
export type IngestOutcome = Answer<"/v1/admin/bots/{botId}/knowledge/{sourceId}/reingest", "post">;

const bot = (botId: string) => ({ params: { path: { botId } } });
const source = (botId: string, sourceId: string) => ({ params: { path: { botId, sourceId } } });

/** How many passages the bot's assistant reads with each question (core/modules/ai/assistant-responder.ts). */
export const ASSISTANT_PASSAGES = 4;

export const knowledgeApi = {
  list: async (botId: string) => (await unwrap(api.GET("/v1/admin/bots/{botId}/knowledge", bot(botId)))).sources,
  /** A file as multipart, the way a browser sends it: the server types it by its bytes. */
  upload: (botId: string, file: File) => {
    const form = new FormData();
    form.append("file", file, file.name);
    // The document types the multipart body by its fields; the browser's FormData is that body.
    return unwrap(api.POST("/v1/admin/bots/{botId}/knowledge", { ...bot(botId), body: form as never }));
  },
  addUrl: (botId: string, url: string) => unwrap(api.POST("/v1/admin/bots/{botId}/knowledge", { ...bot(botId), body: { url } })),
  crawl: (botId: string, url: string, maxPages: number) => unwrap(api.POST("/v1/admin/bots/{botId}/knowledge", { ...bot(botId), body: { crawl: { url, maxPages } } })),
  reingest: (botId: string, sourceId: string) => unwrap(api.POST("/v1/admin/bots/{botId}/knowledge/{sourceId}/reingest", source(botId, sourceId))),
  remove: async (botId: string, sourceId: string) => { await unwrap(api.DELETE("/v1/admin/bots/{botId}/knowledge/{sourceId}", source(botId, sourceId))); },
  search: async (botId: string, q: string, sourceId?: string) =>
    (await unwrap(api.GET("/v1/admin/bots/{botId}/knowledge/search", { params: { path: { botId }, query: { q, limit: 5, ...(sourceId ? { sourceId } : {}) } } }))).passages,
};

export const knowledgeKeys = {
  sources: (botId: string) => ["bots", botId, "knowledge"] as const,
  search: (botId: string, q: string, sourceId: string) => ["bots", botId, "knowledge", "search", q, sourceId] as const,
};
