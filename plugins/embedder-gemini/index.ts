/** Gemini embeddings (kind "embedder"): set KNOWLEDGE_EMBEDDER=@platform/embedder-gemini and GEMINI_API_KEY. */
import { definePlugin, embedAction, implementPlugin } from "../../core/sdk/index.ts";
import { embedWithGemini } from "./gemini.embedder.ts";

export const definition = definePlugin({
  id: "@platform/embedder-gemini",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["embedder"],
  description: "Gemini embedding models, shortened to the platform's 384 dimensions.",
  capabilities: ["http:generativelanguage.googleapis.com"],
  actions: { embed: embedAction },
});

export default implementPlugin(definition, { actions: { embed: (params) => embedWithGemini(params) } });
