/** The OpenAI provider (kind "llm"): chat completions with streaming, tool calls and usage. */
import { definePlugin, implementPlugin, llmChatAction } from "../../core/sdk/index.ts";
import { chatWithOpenAi } from "./openai.provider.ts";

export const definition = definePlugin({
  id: "@platform/llm-openai",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["llm"],
  description: "OpenAI chat models (streaming, tool calling, token usage, automatic prompt caching).",
  capabilities: ["http:api.openai.com"],
  actions: { chat: llmChatAction },
});

export default implementPlugin(definition, { actions: { chat: (params, ctx) => chatWithOpenAi(params, ctx.stream) } });
