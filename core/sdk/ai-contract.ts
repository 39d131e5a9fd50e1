/**
 * What the platform's `ai` service answers to plugins and channels, declared once: the llm and
 * agent node types call `ai.respond`, a voice channel calls `ai.realtimeSession`. The service
 * (core/modules/ai) and its callers both take their types from these schemas.
 */
import { z } from "zod";
import { llmToolCallSchema } from "./llm-provider.ts";

/** Contact fields the bot collects and locks once given (kept in `user.*`). */
export const AI_FIELD_NAMES = ["name", "email", "phone"] as const;
export const aiCollectedFieldsSchema = z.partialRecord(z.enum(AI_FIELD_NAMES), z.string());

export const aiTurnSchema = z.object({ role: z.enum(["user", "assistant"]), content: z.string() });
/** The conversation so far, as an agent node keeps it in its state: recent turns, older ones summarised. */
export const aiTranscriptSchema = z.object({ turns: z.array(aiTurnSchema), summary: z.string().optional() });

/** A tool call waiting for the user's yes (a tool configured to ask first); the node keeps it and hands it back. */
export const aiPendingToolCallSchema = z.object({ call: llmToolCallSchema, configName: z.string(), assistantText: z.string() });

export const aiRespondParamsSchema = z.object({
  tenantId: z.string(),
  botId: z.string(),
  sessionId: z.string().optional(),
  message: z.string(),
  mode: z.enum(["llm", "agent"]),
  transcript: aiTranscriptSchema.optional(),
  collected: aiCollectedFieldsSchema.optional(),
  /** The session's variables, for rules (JSON-Logic over `session`). */
  session: z.record(z.string(), z.unknown()).optional(),
  instructions: z.string().optional(),
  /** The node's own tool list; the bot's when absent. */
  tools: z.array(z.string()).optional(),
  maxSteps: z.number().optional(),
  pending: aiPendingToolCallSchema.optional(),
  /**
   * The calling node's `{session}:{node}:{revision}`: a turn run again (a redelivered channel message
   * whose first run failed after the model answered) gets that answer back instead of a second model
   * call, and an agent's tools are not called twice.
   */
  idempotencyKey: z.string().max(300).optional(),
});

/** What `ai.respond` answers. */
export const aiReplySchema = z.object({
  text: z.string(),
  /** Who answered: a tenant rule, the answer cache, the model, or the confirmation of a pending tool call. */
  source: z.enum(["rule", "cache", "model", "confirmation"]),
  ctas: z.array(z.object({ id: z.string(), label: z.string(), url: z.string().optional() })),
  transcript: aiTranscriptSchema,
  collected: aiCollectedFieldsSchema,
  pending: aiPendingToolCallSchema.optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
});

/** What `ai.realtimeSession` answers: the bot's prompt and tools, and the vendor endpoint for this call. */
export const realtimeSetupSchema = z.object({
  provider: z.enum(["openai", "gemini"]),
  model: z.string().min(1),
  voice: z.string().optional(),
  instructions: z.string(),
  /** What the bot says when the call connects. */
  greeting: z.string().optional(),
  tools: z.array(z.object({ name: z.string(), description: z.string().default(""), parameters: z.record(z.string(), z.unknown()) })),
  /** Vendor endpoint and key for this call only; never logged or stored. */
  connection: z.object({ apiKey: z.string(), baseUrl: z.string().optional() }),
});

export type AiCollectedFields = z.infer<typeof aiCollectedFieldsSchema>;
export type AiTurn = z.infer<typeof aiTurnSchema>;
export type AiTranscript = z.infer<typeof aiTranscriptSchema>;
export type AiPendingToolCall = z.infer<typeof aiPendingToolCallSchema>;
export type AiRespondParams = z.infer<typeof aiRespondParamsSchema>;
export type AiReply = z.infer<typeof aiReplySchema>;
export type RealtimeSetup = z.infer<typeof realtimeSetupSchema>;
