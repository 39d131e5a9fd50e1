/** The Anthropic provider (kind "llm"): Messages API with streaming, tool use, usage and prompt caching. */
import { definePlugin, implementPlugin, llmChatAction } from "../../core/sdk/index.ts";
import { chatWithAnthropic } from "./anthropic.provider.ts";

export const definition = definePlugin({
  id: "@platform/llm-anthropic",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["llm"],
  description: "Anthropic Claude models (streaming, tool use, token usage, prompt caching of the system prompt and tools).",
  capabilities: ["http:api.anthropic.com"],
  actions: { chat: llmChatAction },
});

export default implementPlugin(definition, { actions: { chat: (params, ctx) => chatWithAnthropic(params, ctx.stream) } });
