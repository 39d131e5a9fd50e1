/**
 * OpenAI chat completions through the official SDK, streamed (SSE): text deltas and tool-call
 * fragments are joined as they arrive; the last chunk carries the token usage. OpenAI caches long
 * prompt prefixes by itself; `prompt_cache_key` (the platform passes the bot) routes calls sharing
 * a prefix to the same cache.
 */
import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { llmVendorError, parseToolArguments, type ActionContext, type LlmChatRequest, type LlmChatResponse, type LlmMessage } from "../../core/sdk/index.ts";

function toOpenAi(message: LlmMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "tool": return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant": return {
      role: "assistant",
      content: message.content,
      ...(message.toolCalls?.length ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) } : {}),
    };
    default: return { role: message.role, content: message.content };
  }
}

/** `live` (set when the caller shows the reply live) gets each text delta as it arrives. */
export async function chatWithOpenAi(request: LlmChatRequest, live?: ActionContext["stream"]): Promise<LlmChatResponse> {
  const client = new OpenAI({ apiKey: request.connection.apiKey ?? "none", baseURL: request.connection.baseUrl, maxRetries: 0, timeout: request.connection.timeoutMs });
  const tools: ChatCompletionTool[] = request.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } }));
  const calls = new Map<number, { id: string; name: string; args: string }>();
  let text = "";
  let finishReason = "stop";
  let model = request.model;
  const usage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  try {
    const stream = await client.chat.completions.create({
      model: request.model,
      messages: request.messages.map(toOpenAi),
      ...(tools.length ? { tools } : {}),
      max_completion_tokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.cachePrompt ? { prompt_cache_key: request.cacheKey ?? request.model } : {}),
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      model = chunk.model || model;
      for (const choice of chunk.choices) {
        if (choice.delta.content) {
          text += choice.delta.content;
          live?.delta(choice.delta.content);
        }
        for (const part of choice.delta.tool_calls ?? []) {
          const call = calls.get(part.index) ?? { id: "", name: "", args: "" };
          if (part.id) call.id = part.id;
          if (part.function?.name) call.name += part.function.name;
          if (part.function?.arguments) call.args += part.function.arguments;
          calls.set(part.index, call);
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      if (chunk.usage) {
        usage.inputTokens = chunk.usage.prompt_tokens;
        usage.outputTokens = chunk.usage.completion_tokens;
        usage.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      }
    }
  } catch (error) {
    if (error instanceof OpenAI.APIError) throw llmVendorError("openai", error.status, error.message);
    throw error;
  }
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ id: c.id, name: c.name, arguments: parseToolArguments(c.args) }));
  return { text, toolCalls, usage, model, finishReason, streamed: true };
}
