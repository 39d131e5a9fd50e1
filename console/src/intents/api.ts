/** A bot's intents as the API serves them (core/modules/nlp/intents.routes.ts), through the typed client. */
import { api, ApiError, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type Intent = Answer<"/v1/admin/bots/{botId}/intents", "get">["intents"][number];
export type IntentInput = { name: string; examples: string[] };

export const intentsApi = {
  list: async (botId: string) => (await unwrap(api.GET("/v1/admin/bots/{botId}/intents", { params: { path: { botId } } }))).intents,
  create: (botId: string, body: IntentInput) => unwrap(api.POST("/v1/admin/bots/{botId}/intents", { params: { path: { botId } }, body })),
  update: (botId: string, intentId: string, examples: string[]) =>
    unwrap(api.PATCH("/v1/admin/bots/{botId}/intents/{intentId}", { params: { path: { botId, intentId } }, body: { examples } })),
  remove: (botId: string, intentId: string) => unwrap(api.DELETE("/v1/admin/bots/{botId}/intents/{intentId}", { params: { path: { botId, intentId } } })),
};

export const intentKeys = { list: (botId: string) => ["bots", botId, "intents"] as const };

/** Example phrases from a textarea: one per line, blank lines dropped. */
export const phrasesOf = (text: string) => text.split("\n").map((line) => line.trim()).filter(Boolean);

/**
 * The API's refusal placed on the form's fields: the nlp room's codes name their field
 * (INTENT_NAME_*, INTENT_EXAMPLES_*), VALIDATION_FAILED names it in `details` (`body.examples.3`);
 * `""` holds what names no field (a network failure, the intent limit).
 */
export function fieldErrors(error: unknown): { name?: string; examples?: string; "": string } | undefined {
  if (!error) return undefined;
  if (!(error instanceof ApiError)) return { "": error instanceof Error ? error.message : "Something went wrong." };
  if (error.code.startsWith("INTENT_NAME_")) return { name: error.message, "": "" };
  if (error.code.startsWith("INTENT_EXAMPLES_")) return { examples: error.message, "": "" };
  if (error.code === "VALIDATION_FAILED") {
    const errors: { name?: string; examples?: string; "": string } = { "": "" };
    for (const detail of error.details as unknown[]) {
      const { field, problem } = (detail ?? {}) as { field?: unknown; problem?: unknown };
      if (typeof field !== "string" || typeof problem !== "string") continue;
      const [, key, item] = field.split(".");
      const where = item !== undefined && /^\d+$/.test(item) ? `Phrase ${Number(item) + 1}: ` : "";
      if (key === "name" || key === "examples") errors[key] = [errors[key], `${where}${problem}`].filter(Boolean).join("; ");
      else errors[""] = [errors[""], problem].filter(Boolean).join("; ");
    }
    if (!errors.name && !errors.examples && !errors[""]) errors[""] = error.message;
    return errors;
  }
  return { "": error.message };
}
