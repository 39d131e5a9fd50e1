/** OpenAI embeddings (kind "embedder"): set KNOWLEDGE_EMBEDDER=@platform/embedder-openai and OPENAI_API_KEY. */
import { definePlugin, embedAction, implementPlugin } from "../../core/sdk/index.ts";
import { embedWithOpenAi } from "./openai.embedder.ts";

export const definition = definePlugin({
  id: "@platform/embedder-openai",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["embedder"],
  description: "OpenAI text-embedding-3 models, shortened to the platform's 384 dimensions.",
  capabilities: ["http:api.openai.com"],
  actions: { embed: embedAction },
});

export default implementPlugin(definition, { actions: { embed: (params) => embedWithOpenAi(params) } });
