/**
 * Gemini embeddings through the official SDK (@google/genai). The platform asks for 384
 * dimensions (gemini-embedding models shorten their vectors on request), the width of the
 * knowledge column.
 */
import { ApiError, GoogleGenAI } from "@google/genai";
import { EmbedderErrorCode, ErrorKind, PlatformError, embedderVendorError, type EmbedRequest, type EmbedResponse } from "../../core/sdk/index.ts";

const GEMINI_BATCH = 100;

export async function embedWithGemini({ texts, options }: EmbedRequest): Promise<EmbedResponse> {
  const model = options.model ?? "gemini-embedding-001";
  if (!options.apiKey) throw new PlatformError(EmbedderErrorCode.notConfigured, "The Gemini embedder needs GEMINI_API_KEY", { status: 503, kind: ErrorKind.internal });
  const ai = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: { ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), timeout: options.timeoutMs, retryOptions: { attempts: 1 } },
  });
  const vectors: number[][] = [];
  // The Gemini API takes at most 100 texts a request.
  for (let start = 0; start < texts.length; start += GEMINI_BATCH) {
    try {
      const answer = await ai.models.embedContent({ model, contents: texts.slice(start, start + GEMINI_BATCH), config: { outputDimensionality: options.dimensions } });
      vectors.push(...(answer.embeddings ?? []).map((e) => e.values ?? []));
    } catch (error) {
      throw vendorError(error);
    }
  }
  if (vectors.length !== texts.length) throw new PlatformError(EmbedderErrorCode.failed, `Gemini answered ${vectors.length} embeddings for ${texts.length} texts`, { status: 502, kind: ErrorKind.internal });
  // Shortened embeddings are not unit length: normalised here so cosine and dot product agree.
  const normalised = vectors.map((v) => {
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  });
  // The model id names the width too: vectors of two widths never compare.
  return { model: `gemini:${model}:${options.dimensions}`, dimensions: options.dimensions, vectors: normalised };
}

/** Wrapped where the call is made; the message names the status, never the key or the texts. */
function vendorError(error: unknown): PlatformError {
  return embedderVendorError("Gemini", error instanceof ApiError ? error.status : undefined);
}
