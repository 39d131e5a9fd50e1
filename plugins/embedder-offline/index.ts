/**
 * The offline embedder (kind "embedder"): what knowledge bases use when no provider is
 * configured. See offline.embedder.ts for how it works and what it cannot do.
 */
import { definePlugin, implementPlugin, z } from "../../core/sdk/index.ts";
import { OFFLINE_DIMENSIONS, OFFLINE_MODEL, embedText } from "./offline.embedder.ts";

export const definition = definePlugin({
  id: "@platform/embedder-offline",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["embedder"],
  description: "Deterministic feature-hashing embeddings (384 dimensions); no model download, no network.",
  actions: {
    embed: {
      description: "Embeds texts; returns one L2-normalised vector per text, in order.",
      params: z.object({ texts: z.array(z.string().max(100_000)).min(1).max(512) }),
    },
  },
});

export default implementPlugin(definition, {
  actions: {
    embed: ({ texts }) => ({ model: OFFLINE_MODEL, dimensions: OFFLINE_DIMENSIONS, vectors: texts.map(embedText) }),
  },
});
