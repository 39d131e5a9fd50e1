/**
 * Which provider and model answer a call, and what happens when they fail. The provider is the
 * bot's, else AI_DEFAULT_PROVIDER, else the first one with a key, else offline; the model is the
 * bot's, else the provider's model for the tenant's tier. A failure that may pass is retried with
 * backoff (AI_RETRIES), then the fallback provider answers. Every answered call's tokens are
 * recorded against the tenant.
 *
 * Streaming: with `stream` (a live turn's sink), the provider hands its text deltas to the watcher
 * as the vendor sends them (the handle travels in the call's meta). A call that failed part way
 * may have streamed text, so the draft is reset before a retry or the fallback answers.
 */
import type { ServiceBroker } from "moleculer";
import type { PlatformConfig } from "../../kernel/config/config.ts";
import { PlatformError, isPlatformError } from "../../sdk/platform-error.ts";
import { retryWithBackoff } from "../../sdk/resilience.ts";
import type { LlmChatRequest, LlmChatResponse } from "../../sdk/llm-provider.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";
import type { StreamSink } from "../../kernel/broker/turn-stream.ts";
import type { AiProviderName } from "../../engine/bots/bot-ai-config.ts";
import type { UsageLedger } from "./usage-ledger.ts";
import type { LlmMetrics } from "./llm-metrics.ts";

const serviceOf: Record<AiProviderName, string> = {
  openai: "plugin.platform.llm-openai",
  anthropic: "plugin.platform.llm-anthropic",
  gemini: "plugin.platform.llm-gemini",
  offline: "plugin.platform.llm-offline",
};

type Connection = { apiKey?: string; baseUrl?: string };

export type RoutedCall = {
  tenantId: string;
  botId?: string;
  tier: TenantTier;
  provider?: AiProviderName;
  model?: string;
  request: Omit<LlmChatRequest, "model" | "connection">;
  /** Show the answer's text live (provisional: the caller's final message replaces it). */
  stream?: StreamSink;
};

export type RoutedResponse = LlmChatResponse & { provider: AiProviderName };

export function createLlmRouter(config: PlatformConfig, broker: ServiceBroker, ledger: UsageLedger, log: { warn(data: object, message: string): void }, metrics?: LlmMetrics) {
  const connections: Record<AiProviderName, Connection | undefined> = {
    openai: config.OPENAI_API_KEY ? { apiKey: config.OPENAI_API_KEY, baseUrl: config.OPENAI_BASE_URL } : undefined,
    anthropic: config.ANTHROPIC_API_KEY ? { apiKey: config.ANTHROPIC_API_KEY, baseUrl: config.ANTHROPIC_BASE_URL } : undefined,
    gemini: config.GEMINI_API_KEY ? { apiKey: config.GEMINI_API_KEY, baseUrl: config.GEMINI_BASE_URL } : undefined,
    offline: {},
  };
  const configured = (["openai", "anthropic", "gemini"] as const).filter((p) => connections[p]);

  function primary(wanted: AiProviderName | undefined): AiProviderName {
    const choice = wanted ?? config.AI_DEFAULT_PROVIDER ?? configured[0] ?? "offline";
    // A bot asking for a provider this platform has no key for gets the offline one, not an error per message.
    return connections[choice] ? choice : "offline";
  }

  function fallback(first: AiProviderName): AiProviderName | undefined {
    const choice = config.AI_FALLBACK_PROVIDER ?? configured.find((p) => p !== first) ?? "offline";
    return choice !== first && connections[choice] ? choice : undefined;
  }

  function modelFor(provider: AiProviderName, tier: TenantTier): string {
    const paid = tier === "paid";
    switch (provider) {
      case "openai": return paid ? config.OPENAI_MODEL_PAID : config.OPENAI_MODEL_FREE;
      case "anthropic": return paid ? config.ANTHROPIC_MODEL_PAID : config.ANTHROPIC_MODEL_FREE;
      case "gemini": return paid ? config.GEMINI_MODEL_PAID : config.GEMINI_MODEL_FREE;
      default: return "offline";
    }
  }

  async function once(provider: AiProviderName, model: string, call: RoutedCall): Promise<LlmChatResponse> {
    const connection = { ...connections[provider], timeoutMs: config.AI_TIMEOUT_MS };
    const startedAt = performance.now();
    try {
      const response = await broker.call<LlmChatResponse, LlmChatRequest>(`${serviceOf[provider]}.chat`, { ...call.request, model, connection }, {
        timeout: config.AI_TIMEOUT_MS + 5000, retries: 0, ...(call.stream ? { meta: { stream: call.stream.handle } } : {}),
      });
      metrics?.called(provider, startedAt, response);
      return response;
    } catch (error) {
      metrics?.called(provider, startedAt, undefined);
      throw error;
    }
  }

  function withRetries(provider: AiProviderName, model: string, call: RoutedCall): Promise<LlmChatResponse> {
    return retryWithBackoff(async (attempt) => {
      // What the failed try streamed will not be the answer: the watcher drops it first.
      if (attempt > 0) {
        call.stream?.reset();
        await call.stream?.flush();
      }
      return once(provider, model, call);
    }, { retries: config.AI_RETRIES, baseMs: config.AI_RETRY_BASE_MS });
  }

  return {
    providerFor: primary,
    modelFor,
    async chat(call: RoutedCall): Promise<RoutedResponse> {
      const first = primary(call.provider);
      // A bot's model names a model of its provider; when that provider is unavailable, or for the
      // fallback, the tier's model of the provider actually used applies.
      const model = call.model && (call.provider === undefined || call.provider === first) ? call.model : modelFor(first, call.tier);
      let answered: { provider: AiProviderName; response: LlmChatResponse };
      try {
        answered = { provider: first, response: await withRetries(first, model, call) };
      } catch (error) {
        const second = fallback(first);
        const code = isPlatformError(error) ? error.code : "LLM_CALL_FAILED";
        if (!second) throw isPlatformError(error) ? error : new PlatformError("LLM_CALL_FAILED", "The language model could not answer", { status: 503, kind: "transient" });
        log.warn({ tenantId: call.tenantId, provider: first, fallback: second, code }, "LLM provider failed; using the fallback provider");
        call.stream?.reset();
        await call.stream?.flush();
        answered = { provider: second, response: await withRetries(second, modelFor(second, call.tier), call) };
      }
      await ledger.record({ tenantId: call.tenantId, botId: call.botId, provider: answered.provider, model: answered.response.model, usage: answered.response.usage });
      return { ...answered.response, provider: answered.provider };
    },
  };
}
export type LlmRouter = ReturnType<typeof createLlmRouter>;
