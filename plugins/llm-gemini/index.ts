/** The Gemini provider (kind "llm"): generateContent with streaming, function calling and usage. */
import { definePlugin, implementPlugin, llmChatAction } from "../../core/sdk/index.ts";
import { chatWithGemini } from "./gemini.provider.ts";

export const definition = definePlugin({
  id: "@platform/llm-gemini",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["llm"],
  description: "Google Gemini models (streaming, function calling, token usage, implicit prompt caching).",
  capabilities: ["http:generativelanguage.googleapis.com"],
  actions: { chat: llmChatAction },
});

export default implementPlugin(definition, { actions: { chat: (params, ctx) => chatWithGemini(params, ctx.stream) } });
