/**
 * The contract every LLM provider plugin (kind "llm") implements, as one action `chat`: the
 * platform assembles the prompt, picks the model and handles retries, fallback and accounting;
 * a provider only speaks its vendor's protocol. One schema drives validation and types.
 */
import { z } from "zod";
import { PlatformError, TransientError } from "./platform-error.ts";

export const LlmErrorCode = {
  /** The vendor is down, overloaded or rate limiting (5xx, 429, no answer): another provider or a retry may do. */
  providerUnavailable: "LLM_PROVIDER_UNAVAILABLE",
  /** The vendor refused the request (bad key, bad model, bad request): retrying will not help. */
  providerRejected: "LLM_PROVIDER_REJECTED",
} as const;

export const llmToolCallSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  /** Arguments as the model produced them (a JSON object). */
  arguments: z.record(z.string(), z.unknown()),
});

export const llmMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: z.string() }),
  z.object({ role: z.literal("user"), content: z.string() }),
  z.object({ role: z.literal("assistant"), content: z.string(), toolCalls: z.array(llmToolCallSchema).optional() }),
  z.object({ role: z.literal("tool"), toolCallId: z.string().min(1), name: z.string().min(1), content: z.string() }),
]);

export const llmToolSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string().max(2000).default(""),
  /** JSON Schema of the arguments (type: object). */
  parameters: z.record(z.string(), z.unknown()),
});

export const llmPassageSchema = z.object({ text: z.string(), source: z.string(), score: z.number() });

export const llmChatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(llmMessageSchema).min(1),
  tools: z.array(llmToolSchema).default([]),
  maxTokens: z.number().int().min(1).max(32_000).default(1024),
  temperature: z.number().min(0).max(2).optional(),
  /** Ask the vendor to cache the stable prefix (system prompt, tools) where it offers that. */
  cachePrompt: z.boolean().default(true),
  /** Groups calls that share a prefix (one bot's), for vendors that route by a cache key. */
  cacheKey: z.string().max(64).optional(),
  /** The retrieved passages already in the system prompt, structured for providers without a model (offline). */
  knowledge: z.array(llmPassageSchema).default([]),
  /** Vendor endpoint and key, filled by the platform from its config per call; never logged or stored. */
  connection: z.object({ apiKey: z.string().optional(), baseUrl: z.string().optional(), timeoutMs: z.number().int().min(100).default(30_000) }).default({ timeoutMs: 30_000 }),
});

export const llmUsageSchema = z.object({ inputTokens: z.number().int().min(0), outputTokens: z.number().int().min(0), cachedTokens: z.number().int().min(0) });

export const llmChatResponseSchema = z.object({
  text: z.string(),
  toolCalls: z.array(llmToolCallSchema),
  usage: llmUsageSchema,
  model: z.string(),
  /** How the vendor said it stopped: "stop", "tool_calls", "length"... */
  finishReason: z.string(),
  /** True when the answer was streamed from the vendor (server-sent events). */
  streamed: z.boolean(),
});

export type LlmToolCall = z.infer<typeof llmToolCallSchema>;
export type LlmMessage = z.infer<typeof llmMessageSchema>;
export type LlmTool = z.infer<typeof llmToolSchema>;
export type LlmPassage = z.infer<typeof llmPassageSchema>;
export type LlmChatRequest = z.infer<typeof llmChatRequestSchema>;
export type LlmUsage = z.infer<typeof llmUsageSchema>;
export type LlmChatResponse = z.infer<typeof llmChatResponseSchema>;

/** The action every llm plugin declares: `actions: { chat: llmChatAction }`. */
export const llmChatAction = { description: "One chat completion (streamed from the vendor), with tool calls and token usage.", params: llmChatRequestSchema };

/** Parses a tool call's JSON arguments the way every vendor needs: a bad string becomes `{}` plus the raw text. */
export function parseToolArguments(raw: string | undefined): Record<string, unknown> {
  if (!raw || !raw.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { _unparsed: raw };
  }
}

/**
 * A vendor failure, named for who must act: 429, 5xx and network failures may pass (the platform
 * retries, then falls back to another provider); other statuses are our request's fault.
 */
export function llmVendorError(provider: string, status: number | undefined, detail: string): PlatformError {
  const retryable = status === undefined || status === 429 || status >= 500;
  // Vendors echo part of a rejected key ("Incorrect API key provided: sk-ab***"): never pass it on.
  const shown = detail.replace(/\b(sk|key|AIza)[-_A-Za-z0-9*.]{4,}/gi, "[redacted]").slice(0, 200);
  const message = `${provider} answered ${status ?? "nothing"}${retryable ? "" : `: ${shown}`}`;
  return retryable
    ? new TransientError(LlmErrorCode.providerUnavailable, message, { status: 503, data: { provider, vendorStatus: status } })
    : new PlatformError(LlmErrorCode.providerRejected, message, { status: 502, kind: "internal", data: { provider, vendorStatus: status } });
}
