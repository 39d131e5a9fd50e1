import type { MetricRegistry } from "../../kernel/observability/metric-registry.ts";
import type { LlmChatResponse } from "../../sdk/llm-provider.ts";

/** Model calls take from a few milliseconds (offline) to a minute. */
const LLM_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

export type LlmMetrics = ReturnType<typeof defineLlmMetrics>;

/** Calls to language models by provider: how long each try took, what failed, and the tokens answered. */
export function defineLlmMetrics(registry: MetricRegistry) {
  const seconds = registry.histogram("botplatform_llm_request_duration_seconds", "Time of one call to a language model (each retry is a call), by provider", ["provider"], LLM_BUCKETS);
  const errors = registry.counter("botplatform_llm_errors_total", "Calls to a language model that failed (retried, or handed to the fallback provider), by provider", ["provider"]);
  const tokens = registry.counter("botplatform_llm_tokens_total", "Tokens of answered calls, by provider and direction (input, output)", ["provider", "direction"]);
  return {
    /** One call to `provider` that started at `startedAt` (`performance.now()`) ended with `response`, or failed without one. */
    called(provider: string, startedAt: number, response: LlmChatResponse | undefined): void {
      seconds.labels(provider).observe((performance.now() - startedAt) / 1000);
      if (!response) {
        errors.labels(provider).inc();
        return;
      }
      tokens.labels(provider, "input").inc(response.usage.inputTokens);
      tokens.labels(provider, "output").inc(response.usage.outputTokens);
    },
  };
}
