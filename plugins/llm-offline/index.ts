/** The offline provider (kind "llm"): answers from retrieved knowledge only, quoting its source. */
import { definePlugin, implementPlugin, llmChatAction } from "../../core/sdk/index.ts";
import { answerOffline } from "./offline.provider.ts";

export const definition = definePlugin({
  id: "@platform/llm-offline",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["llm"],
  description: "No model: quotes the best matching knowledge passage with its source, or says it does not know.",
  actions: { chat: llmChatAction },
});

export default implementPlugin(definition, { actions: { chat: (params) => answerOffline(params) } });
