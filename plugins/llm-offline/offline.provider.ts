/**
 * The embedded default when no provider key is configured: no model, so it answers only from the
 * retrieved knowledge the platform hands it. It quotes the passage that best matches the question,
 * with its source, and says plainly when nothing given to it answers the question. It never
 * invents an answer and never calls tools.
 */
import type { LlmChatRequest, LlmChatResponse, LlmPassage } from "../../core/sdk/index.ts";

export const OFFLINE_UNKNOWN = "I don't know the answer to that: it isn't in the information I have. Could you rephrase, or ask something else?";

const stopWords = new Set("a an the and or of to in on for is are was were be do does did i you we it my your our what when where how who why which can could would should will with at by from about me please tell there this that have has".split(" "));

function words(text: string): string[] {
  return text.toLowerCase().normalize("NFKD").replace(/[^\p{L}\p{N}\s]/gu, " ").split(/\s+/).filter((w) => w.length > 1 && !stopWords.has(w));
}

/** A crude stem so "open" matches "opening" and "hours" matches "hour". */
const stem = (w: string) => w.replace(/(ing|ed|es|s)$/, "");

/** The sentence of the passage that shares most words with the question. */
function bestSentence(passage: string, question: Set<string>): string {
  const sentences = passage.split(/(?<=[.!?])\s+/).filter((s) => s.trim());
  let best = sentences[0] ?? passage;
  let bestHits = -1;
  for (const s of sentences) {
    const hits = words(s).map(stem).filter((w) => question.has(w)).length;
    if (hits > bestHits) { best = s; bestHits = hits; }
  }
  return best.trim();
}

export function answerOffline(request: LlmChatRequest): LlmChatResponse {
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const question = new Set(words(lastUser).map(stem));
  if (question.size === 0) return reply(request, "Hello! What would you like to know?");
  let best: { passage: LlmPassage; hits: number } | undefined;
  for (const passage of request.knowledge) {
    const hits = new Set(words(passage.text).map(stem).filter((w) => question.has(w))).size;
    if (hits > 0 && (!best || hits > best.hits || (hits === best.hits && passage.score > best.passage.score))) best = { passage, hits };
  }
  // One shared word out of a long question is a coincidence, not an answer.
  const enough = best && (best.hits >= 2 || (best.hits >= 1 && question.size <= 2));
  return reply(request, enough && best ? `According to ${best.passage.source}: "${bestSentence(best.passage.text, question)}"` : OFFLINE_UNKNOWN);
}

/** Token counts are estimates (4 characters a token), so offline use still shows in the usage report. */
function reply(request: LlmChatRequest, text: string): LlmChatResponse {
  const inputChars = request.messages.reduce((n, m) => n + m.content.length, 0);
  return {
    text, toolCalls: [], model: "offline", finishReason: "stop", streamed: false,
    usage: { inputTokens: Math.ceil(inputChars / 4), outputTokens: Math.ceil(text.length / 4), cachedTokens: 0 },
  };
}
