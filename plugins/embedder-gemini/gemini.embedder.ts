/**
 * Gemini embeddings through the official SDK (@google/genai). The platform asks for 384
 * dimensions (gemini-embedding models shorten their vectors on request), the width of the
 * knowledge column.
 */
import { ApiError, GoogleGenAI } from "@google/genai";
import { ErrorKind, PlatformError, TransientError, z } from "../../core/plugin-sdk/index.ts";

const GEMINI_BATCH = 100;

export const embedParams = z.object({
  texts: z.array(z.string().max(100_000)).min(1).max(512),
  options: z.object({
    model: z.string().min(1).default("gemini-embedding-001"),
    dimensions: z.number().int().min(1).max(4096),
    apiKey: z.string().min(1).optional(),
    baseUrl: z.string().optional(),
    timeoutMs: z.number().int().min(100).default(30_000),
  }),
});

export async function embedWithGemini({ texts, options }: z.infer<typeof embedParams>): Promise<{ model: string; dimensions: number; vectors: number[][] }> {
  if (!options.apiKey) throw new PlatformError("EMBEDDER_NOT_CONFIGURED", "The Gemini embedder needs GEMINI_API_KEY", { status: 503, kind: ErrorKind.internal });
  const ai = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: { ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), timeout: options.timeoutMs, retryOptions: { attempts: 1 } },
  });
  const vectors: number[][] = [];
  // The Gemini API takes at most 100 texts a request.
  for (let start = 0; start < texts.length; start += GEMINI_BATCH) {
    try {
      const answer = await ai.models.embedContent({ model: options.model, contents: texts.slice(start, start + GEMINI_BATCH), config: { outputDimensionality: options.dimensions } });
      vectors.push(...(answer.embeddings ?? []).map((e) => e.values ?? []));
    } catch (error) {
      throw vendorError(error);
    }
  }
  if (vectors.length !== texts.length) throw new PlatformError("EMBEDDER_FAILED", `Gemini answered ${vectors.length} embeddings for ${texts.length} texts`, { status: 502, kind: ErrorKind.internal });
  // Shortened embeddings are not unit length: normalised here so cosine and dot product agree.
  const normalised = vectors.map((v) => {
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  });
  // The model id names the width too: vectors of two widths never compare.
  return { model: `gemini:${options.model}:${options.dimensions}`, dimensions: options.dimensions, vectors: normalised };
}

/** Wrapped where the call is made; the message names the status, never the key or the texts. */
function vendorError(error: unknown): PlatformError {
  const status = error instanceof ApiError ? error.status : undefined;
  if (status === undefined || status === 429 || status >= 500) {
    return new TransientError("EMBEDDER_UNAVAILABLE", `Gemini embeddings are unavailable right now${status ? ` (HTTP ${status})` : ""}`, { status: 503 });
  }
  return new PlatformError("EMBEDDER_FAILED", `Gemini refused the embeddings request (HTTP ${status})`, { status: 502, kind: ErrorKind.internal, data: { vendorStatus: status } });
}
