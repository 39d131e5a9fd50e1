import { createHash } from "node:crypto";
import { z } from "zod";
import { ErrorKind, PlatformError } from "../../sdk/platform-error.ts";
import { pluginServiceName } from "../../kernel/plugin-host/plugin-host.ts";
import { EmbedderErrorCode } from "../../sdk/embedder-contract.ts";

/** The width of the embedding column (0008-knowledge.migration.ts); every embedder must match it. */
export const EMBEDDING_DIMENSIONS = 384;
const BATCH = 256;

/** What an embedder plugin's `embed` action answers, checked: a plugin is not trusted to get it right. */
const embedResult = z.object({ model: z.string().min(1).max(100), vectors: z.array(z.array(z.number())) });

/** `onProgress` hears how many of the texts are embedded after each batch (a long document's progress). */
export type Embedder = { embed(texts: readonly string[], onProgress?: (embedded: number) => Promise<void>): Promise<{ model: string; vectors: number[][] }> };
type Call = (action: string, params: Record<string, unknown>) => Promise<unknown>;

/**
 * What every embedder is told besides the texts: the width to answer, and for a provider
 * embedder its model and connection (the operator's provider key, from configuration). Embedders
 * that need none of it ignore it.
 */
export type EmbedOptions = { dimensions: number; model?: string; apiKey?: string; baseUrl?: string };

/**
 * Embeds through the configured embedder plugin (kind "embedder", action `embed { texts }`), in
 * batches, so knowledge works the same with the offline embedder or a provider one.
 */
export function createEmbedderClient(call: Call, pluginId: string, options: EmbedOptions): Embedder {
  const action = `${pluginServiceName(pluginId)}.embed`;
  return {
    async embed(texts, onProgress) {
      let model = "";
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += BATCH) {
        const parsed = embedResult.safeParse(await call(action, { texts: texts.slice(start, start + BATCH), options }));
        if (!parsed.success) throw embedderBroken(pluginId, "answered in an unexpected shape");
        const batch = parsed.data;
        if (batch.vectors.length !== Math.min(BATCH, texts.length - start)) throw embedderBroken(pluginId, "answered the wrong number of vectors");
        if (batch.vectors.some((v) => v.length !== EMBEDDING_DIMENSIONS)) {
          throw embedderBroken(pluginId, `answered vectors that are not ${EMBEDDING_DIMENSIONS}-dimensional`);
        }
        model = batch.model;
        vectors.push(...batch.vectors);
        await onProgress?.(vectors.length);
      }
      return { model, vectors };
    },
  };
}

function embedderBroken(pluginId: string, what: string): PlatformError {
  return new PlatformError(EmbedderErrorCode.failed, `The embedder ${pluginId} ${what}`, { status: 502, kind: ErrorKind.internal, data: { plugin: pluginId } });
}

type QueryCache = { get(key: string): Promise<string | undefined>; set(key: string, value: string, ttlSeconds: number): Promise<void> };

/**
 * The same question asked again within `ttlSeconds` reuses its embedding (Redis when configured,
 * else this node's memory): popular questions cost one embedder call, not one per asker. Vectors
 * are kept as base64 float32, about 1.5 KB each.
 */
export function cachingQueries(embedder: Embedder, cache: QueryCache, pluginId: string, ttlSeconds = 600): Embedder & { embedQuery(text: string): Promise<{ model: string; vector: number[] }> } {
  return {
    embed: (texts, onProgress) => embedder.embed(texts, onProgress),
    async embedQuery(text) {
      const key = `knowledge:qemb:${pluginId}:${createHash("sha256").update(text).digest("base64url")}`;
      const hit = await cache.get(key).catch(() => undefined);
      if (hit) {
        const { model, v } = JSON.parse(hit) as { model: string; v: string };
        const bytes = Buffer.from(v, "base64");
        return { model, vector: [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)] };
      }
      const { model, vectors } = await embedder.embed([text]);
      const vector = vectors[0]!;
      await cache.set(key, JSON.stringify({ model, v: Buffer.from(new Float32Array(vector).buffer).toString("base64") }), ttlSeconds).catch(() => {});
      return { model, vector };
    },
  };
}
