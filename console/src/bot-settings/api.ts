/** A bot's settings: its config sections' JSON Schemas (core/engine/bots/bot-config-schema.routes.ts) and the bot itself. */
import { api, unwrap } from "../api/client.ts";
import type { JsonSchema } from "../flows/flow-document.ts";

export const botSettingsApi = {
  schemas: async () => (await unwrap(api.GET("/v1/admin/bot-config-schema"))) as { ai: JsonSchema },
  /** The whole config goes back: PATCH replaces it (bots.service), so the other sections are sent as read. */
  saveAi: (botId: string, config: Record<string, unknown>, ai: Record<string, unknown>) =>
    // The config was read from the API and the server checks it again; the document types it section by section.
    unwrap(api.PATCH("/v1/admin/bots/{botId}", { params: { path: { botId } }, body: { config: { ...config, ai } as never } })),
};

export const botSettingsKeys = { schemas: ["bot-config-schema"] as const };
