/**
 * Identical questions to the same bot within a short window (AI_ANSWER_CACHE_SECONDS) are answered
 * from the cache instead of a new model call. The cache is the platform's (Redis when configured,
 * so every node shares it). Only answers that did not depend on the conversation are stored: a
 * first question, answered without tools.
 */
import { createHash } from "node:crypto";
import type { Cache } from "../../kernel/cache/cache.ts";

export function normaliseQuestion(text: string): string {
  return text.toLowerCase().normalize("NFKC").replace(/[\s\p{P}]+/gu, " ").trim();
}

export function createAnswerCache(cache: Cache, ttlSeconds: number) {
  // The bot's config revision is part of the key, so a changed prompt never serves an old answer.
  const key = (tenantId: string, botId: string, revision: string, question: string) =>
    `ai:answer:${tenantId}:${botId}:${createHash("sha256").update(`${revision}\n${normaliseQuestion(question)}`).digest("base64url")}`;
  return {
    enabled: ttlSeconds > 0,
    async get(tenantId: string, botId: string, revision: string, question: string): Promise<string | undefined> {
      if (ttlSeconds <= 0) return undefined;
      return cache.get(key(tenantId, botId, revision, question));
    },
    async set(tenantId: string, botId: string, revision: string, question: string, answer: string): Promise<void> {
      if (ttlSeconds <= 0) return;
      await cache.set(key(tenantId, botId, revision, question), answer, ttlSeconds);
    },
  };
}
export type AnswerCache = ReturnType<typeof createAnswerCache>;
