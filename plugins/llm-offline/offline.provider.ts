/**
 * The embedded default when no provider key is configured: no model, so it answers only from the
 * retrieved knowledge the platform hands it. It quotes the sentence that best answers the question,
 * with its source, and says plainly when nothing given to it answers the question. It never
 * invents an answer and never calls tools.
 */
import type { LlmChatRequest, LlmChatResponse } from "../../core/sdk/index.ts";
import { loadEnglish, questionTermCount, rankSentences } from "./sentence-ranker.ts";

export const OFFLINE_UNKNOWN = "I don't know the answer to that: it isn't in the information I have. Could you rephrase, or ask something else?";

/**
 * The sentence of the retrieved passages that best answers the question (sentence-ranker.ts), or
 * "I don't know" when none shares enough of it: one shared word out of a long question is a
 * coincidence, not an answer, unless the sentence also holds what the question asks for ("How
 * long does a refund take?" and "Refunds go back … within 5 business days").
 */
export async function answerOffline(request: LlmChatRequest): Promise<LlmChatResponse> {
  await loadEnglish();
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const terms = questionTermCount(lastUser);
  if (terms === 0) return reply(request, "Hello! What would you like to know?");
  const [best] = rankSentences(lastUser, request.knowledge);
  const enough = best && (best.matched >= 2 || (best.matched >= 1 && (terms <= 2 || best.answersKind)));
  return reply(request, enough && best ? `According to ${best.source}: "${best.sentence}"` : OFFLINE_UNKNOWN);
}

/** Token counts are estimates (4 characters a token), so offline use still shows in the usage report. */
function reply(request: LlmChatRequest, text: string): LlmChatResponse {
  const inputChars = request.messages.reduce((n, m) => n + m.content.length, 0);
  return {
    text, toolCalls: [], model: "offline", finishReason: "stop", streamed: false,
    usage: { inputTokens: Math.ceil(inputChars / 4), outputTokens: Math.ceil(text.length / 4), cachedTokens: 0 },
  };
}
