/**
 * OpenAI embeddings through the official SDK. The platform asks for 384 dimensions (the
 * text-embedding-3 models shorten their vectors on request), the width of the knowledge column.
 */
import OpenAI from "openai";
import { ErrorKind, PlatformError, TransientError, z } from "../../core/plugin-sdk/index.ts";

export const embedParams = z.object({
  texts: z.array(z.string().max(100_000)).min(1).max(512),
  options: z.object({
    model: z.string().min(1).default("text-embedding-3-small"),
    dimensions: z.number().int().min(1).max(4096),
    apiKey: z.string().min(1).optional(),
    baseUrl: z.string().optional(),
    timeoutMs: z.number().int().min(100).default(30_000),
  }),
});

export async function embedWithOpenAi({ texts, options }: z.infer<typeof embedParams>): Promise<{ model: string; dimensions: number; vectors: number[][] }> {
  if (!options.apiKey) throw new PlatformError("EMBEDDER_NOT_CONFIGURED", "The OpenAI embedder needs OPENAI_API_KEY", { status: 503, kind: ErrorKind.internal });
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 1, timeout: options.timeoutMs });
  try {
    // Floats, not the SDK's default base64: the same on every OpenAI-compatible server.
    const answer = await client.embeddings.create({ model: options.model, input: texts, dimensions: options.dimensions, encoding_format: "float" });
    const vectors = [...answer.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    // The model id names the width too: vectors of two widths never compare.
    return { model: `openai:${answer.model}:${options.dimensions}`, dimensions: options.dimensions, vectors };
  } catch (error) {
    throw vendorError(error);
  }
}

/** Wrapped where the call is made; the message names the status, never the key or the texts. */
function vendorError(error: unknown): PlatformError {
  const status = error instanceof OpenAI.APIError ? error.status : undefined;
  if (status === undefined || status === 429 || status >= 500) {
    return new TransientError("EMBEDDER_UNAVAILABLE", `OpenAI embeddings are unavailable right now${status ? ` (HTTP ${status})` : ""}`, { status: 503 });
  }
  return new PlatformError("EMBEDDER_FAILED", `OpenAI refused the embeddings request (HTTP ${status})`, { status: 502, kind: ErrorKind.internal, data: { vendorStatus: status } });
}
