/**
 * How a bot understands inbound messages (`config.nlp`): how close a message must come to one of
 * its intents' examples to count as that intent, and when a run of unhappy messages hands the
 * conversation to a person. The intents themselves are managed under /v1/admin/bots/{botId}/intents.
 */
import { z } from "zod";

export const botNlpConfigSchema = z.strictObject({
  /**
   * The similarity (0..1) the closest example must reach, else the intent is "none". With the
   * offline embedder, 0.45 separates a rephrasing from a different request; a provider embedder
   * may want a higher line. Default 0.45.
   */
  intentThreshold: z.number().min(0).max(1).optional(),
  /** Hand off to a person after `afterNegativeMessages` messages in a row with sentiment below `sentimentBelow` (default -0.05: any clearly negative message). */
  handoff: z.strictObject({
    afterNegativeMessages: z.number().int().min(1).max(50),
    sentimentBelow: z.number().min(-1).max(1).default(-0.05),
    message: z.string().min(1).max(1000).optional(),
  }).optional(),
});
export type BotNlpConfig = z.infer<typeof botNlpConfigSchema>;
