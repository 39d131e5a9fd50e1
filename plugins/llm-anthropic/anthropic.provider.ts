/**
 * Anthropic Messages through the official SDK, streamed: `message_start` gives input and cached
 * tokens, `content_block_*` events carry text and `tool_use` blocks (arguments as JSON fragments),
 * `message_delta` the stop reason and output tokens. The system prompt and tools are marked
 * `cache_control: ephemeral`, so Anthropic caches that stable prefix between turns.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlockParam, MessageParam, TextBlockParam, Tool } from "@anthropic-ai/sdk/resources/messages";
import { llmVendorError, parseToolArguments, type ActionContext, type LlmChatRequest, type LlmChatResponse } from "../../core/sdk/index.ts";

/** Anthropic has no tool role: results go back as a user turn of `tool_result` blocks, merged when consecutive. */
function toAnthropic(request: LlmChatRequest): { system: TextBlockParam[]; messages: MessageParam[] } {
  const system: TextBlockParam[] = [];
  const messages: MessageParam[] = [];
  for (const m of request.messages) {
    if (m.role === "system") system.push({ type: "text", text: m.content });
    else if (m.role === "user") messages.push({ role: "user", content: m.content });
    else if (m.role === "assistant") {
      const blocks: ContentBlockParam[] = [];
      if (m.content) blocks.push({ type: "text", text: m.content });
      for (const c of m.toolCalls ?? []) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
      messages.push({ role: "assistant", content: blocks });
    } else {
      const block = { type: "tool_result" as const, tool_use_id: m.toolCallId, content: m.content };
      const last = messages.at(-1);
      if (last && last.role === "user" && Array.isArray(last.content) && last.content.every((b) => b.type === "tool_result")) last.content.push(block);
      else messages.push({ role: "user", content: [block] });
    }
  }
  if (request.cachePrompt && system.length > 0) system[system.length - 1] = { ...system.at(-1)!, cache_control: { type: "ephemeral" } };
  return { system, messages };
}

/** `live` (set when the caller shows the reply live) gets each text delta as it arrives. */
export async function chatWithAnthropic(request: LlmChatRequest, live?: ActionContext["stream"]): Promise<LlmChatResponse> {
  const client = new Anthropic({ apiKey: request.connection.apiKey ?? "none", baseURL: request.connection.baseUrl, maxRetries: 0, timeout: request.connection.timeoutMs });
  const { system, messages } = toAnthropic(request);
  const tools: Tool[] = request.tools.map((t, i) => ({
    name: t.name, description: t.description, input_schema: { type: "object", ...t.parameters },
    ...(request.cachePrompt && i === request.tools.length - 1 ? { cache_control: { type: "ephemeral" as const } } : {}),
  }));
  const blocks = new Map<number, { kind: "text" | "tool"; id: string; name: string; text: string }>();
  const usage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  let finishReason = "stop";
  let model = request.model;
  try {
    const stream = await client.messages.create({
      model: request.model, max_tokens: request.maxTokens, system, messages, stream: true,
      ...(tools.length ? { tools } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    });
    for await (const event of stream) {
      if (event.type === "message_start") {
        model = event.message.model || model;
        usage.inputTokens = event.message.usage.input_tokens;
        usage.cachedTokens = event.message.usage.cache_read_input_tokens ?? 0;
        usage.outputTokens = event.message.usage.output_tokens;
      } else if (event.type === "content_block_start") {
        const b = event.content_block;
        if (b.type === "tool_use") blocks.set(event.index, { kind: "tool", id: b.id, name: b.name, text: "" });
        else if (b.type === "text") {
          blocks.set(event.index, { kind: "text", id: "", name: "", text: b.text });
          live?.delta(b.text);
        }
      } else if (event.type === "content_block_delta") {
        const block = blocks.get(event.index);
        if (!block) continue;
        if (event.delta.type === "text_delta") {
          block.text += event.delta.text;
          live?.delta(event.delta.text);
        } else if (event.delta.type === "input_json_delta") block.text += event.delta.partial_json;
      } else if (event.type === "message_delta") {
        if (event.delta.stop_reason) finishReason = event.delta.stop_reason === "tool_use" ? "tool_calls" : event.delta.stop_reason;
        usage.outputTokens = event.usage.output_tokens;
      }
    }
  } catch (error) {
    if (error instanceof Anthropic.APIError) throw llmVendorError("anthropic", error.status, error.message);
    throw error;
  }
  const ordered = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
  return {
    text: ordered.filter((b) => b.kind === "text").map((b) => b.text).join(""),
    toolCalls: ordered.filter((b) => b.kind === "tool").map((b) => ({ id: b.id, name: b.name, arguments: parseToolArguments(b.text) })),
    usage, model, finishReason, streamed: true,
  };
}
