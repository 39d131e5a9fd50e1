/**
 * Intent and sentiment of one user message from the bot's language model, for bots that have a
 * provider configured (the nlp module asks `ai.classify`, and reads them offline otherwise). The
 * model is told the tenant's intents with their example phrases and must answer one JSON object;
 * anything else (prose, an intent it made up, numbers out of range) is refused, and the nlp module
 * then falls back to its offline reading, so a confused model never routes a conversation.
 */
import { z } from "zod";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";
import type { AiProviderName } from "../../engine/bots/bot-ai-config.ts";
import { PlatformError } from "../../sdk/platform-error.ts";
import { AiErrorCode } from "./ai-errors.ts";
import type { LlmRouter } from "./llm-router.ts";

export type ClassifyParams = {
  tenantId: string;
  botId: string;
  text: string;
  intents: { name: string; description?: string; examples: string[] }[];
  /** The bot's provider and model (`config.ai`). */
  provider?: AiProviderName;
  model?: string;
};
export type Classification = { intent: string; intentConfidence: number; sentiment: number };

const answerSchema = z.object({
  intent: z.string().min(1).max(50),
  confidence: z.number().min(0).max(1),
  sentiment: z.number().min(-1).max(1),
});

const EXAMPLES_SHOWN = 10;

export function classificationPrompt(intents: ClassifyParams["intents"]): string {
  const list = intents.map((i) => `- ${i.name}${i.description ? ` (${i.description})` : ""}: ${i.examples.slice(0, EXAMPLES_SHOWN).map((e) => JSON.stringify(e)).join(", ")}`).join("\n");
  return [
    "You classify one message a customer sent to a business's assistant.",
    intents.length > 0 ? `The intents, each with example phrases:\n${list}` : "The business defined no intents: the intent is always \"none\".",
    'Answer with one JSON object and nothing else: {"intent": "<one of the intent names, or none>", "confidence": <0..1>, "sentiment": <-1 very negative .. 1 very positive>}.',
    'Use "none" when the message fits no intent well.',
  ].join("\n\n");
}

/** The JSON object in the model's answer, checked; throws AI_CLASSIFICATION_INVALID otherwise. */
export function readClassification(text: string, intentNames: ReadonlySet<string>): Classification {
  const json = text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
  let parsed: ReturnType<typeof answerSchema.safeParse> | undefined;
  try { parsed = answerSchema.safeParse(JSON.parse(json)); } catch { parsed = undefined; }
  if (!parsed?.success) throw new PlatformError(AiErrorCode.classificationInvalid, "The model's classification was not the JSON asked for", { status: 502, kind: "transient" });
  const { intent, confidence, sentiment } = parsed.data;
  return { intent: intentNames.has(intent) ? intent : "none", intentConfidence: confidence, sentiment };
}

export async function classifyMessage(
  router: LlmRouter, bot: { provider?: AiProviderName; model?: string }, tier: TenantTier, params: ClassifyParams,
): Promise<Classification | null> {
  // No key for the bot's provider here: the router would answer offline, which cannot classify.
  if (router.providerFor(bot.provider) === "offline") return null;
  const answer = await router.chat({
    tenantId: params.tenantId, botId: params.botId, tier, provider: bot.provider, model: bot.model,
    request: {
      messages: [{ role: "system", content: classificationPrompt(params.intents) }, { role: "user", content: params.text }],
      tools: [], knowledge: [], maxTokens: 100, temperature: 0, cachePrompt: true, cacheKey: `${params.botId}:classify`.slice(0, 64),
    },
  });
  return readClassification(answer.text, new Set(params.intents.map((i) => i.name)));
}
