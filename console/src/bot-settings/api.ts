/** A bot's settings: its config sections' JSON Schemas (core/engine/bots/bot-config-schema.routes.ts) and the bot itself. */
import { api, ApiError, unwrap } from "../api/client.ts";
import type { JsonSchema } from "../flows/flow-document.ts";

/** The config sections this page edits, each with its own form. */
export type Section = "ai" | "handoff";

/**
 * Saves one section of a bot's config. PATCH replaces the whole config (bots.service), so the bot
 * is read afresh just before and every other section goes back as it is now: saving the handoff
 * settings never drops the AI section (or one another tab changed meanwhile).
 */
async function saveSection(botId: string, section: Section, value: Record<string, unknown>) {
  const path = { params: { path: { botId } } };
  const current = await unwrap(api.GET("/v1/admin/bots/{botId}", path));
  // The config was read from the API and the server checks it again; the document types it section by section.
  return unwrap(api.PATCH("/v1/admin/bots/{botId}", { ...path, body: { config: { ...(current.config as Record<string, unknown>), [section]: value } as never } }));
}

export const botSettingsApi = {
  schemas: async () => (await unwrap(api.GET("/v1/admin/bot-config-schema"))) as { ai: JsonSchema; handoff: JsonSchema },
  saveAi: (botId: string, _config: Record<string, unknown>, ai: Record<string, unknown>) => saveSection(botId, "ai", ai),
  saveSection,
};

/**
 * The API's validation problems for one section, by its top-level field (`keywords`), from the
 * error's details (`{ field: "body.config.handoff.keywords.0", problem }`); `""` holds those that
 * name no field of the section.
 */
export function fieldErrors(error: unknown, section: Section): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const prefix = `body.config.${section}.`;
  const errors: Record<string, string> = {};
  for (const detail of error.details as unknown[]) {
    const { field, problem } = (detail ?? {}) as { field?: unknown; problem?: unknown };
    if (typeof field !== "string" || typeof problem !== "string") continue;
    const rest = field.startsWith(prefix) ? field.slice(prefix.length).split(".") : [""];
    const key = rest[0] ?? "";
    // An item of a list is named by its place: "Item 1: too long".
    const where = rest.length > 1 && /^\d+$/.test(rest[1]!) ? `Item ${Number(rest[1]) + 1}: ` : "";
    errors[key] = [errors[key], `${where}${problem}`].filter(Boolean).join("; ");
  }
  return errors;
}

export const botSettingsKeys = { schemas: ["bot-config-schema"] as const };
