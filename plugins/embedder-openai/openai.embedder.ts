/**
 * OpenAI embeddings through the official SDK. The platform asks for 384 dimensions (the
 * text-embedding-3 models shorten their vectors on request), the width of the knowledge column.
 */
import OpenAI from "openai";
import { EmbedderErrorCode, ErrorKind, PlatformError, embedderVendorError, type EmbedRequest, type EmbedResponse } from "../../core/sdk/index.ts";

export async function embedWithOpenAi({ texts, options }: EmbedRequest): Promise<EmbedResponse> {
  const model = options.model ?? "text-embedding-3-small";
  if (!options.apiKey) throw new PlatformError(EmbedderErrorCode.notConfigured, "The OpenAI embedder needs OPENAI_API_KEY", { status: 503, kind: ErrorKind.internal });
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 1, timeout: options.timeoutMs });
  try {
    // Floats, not the SDK's default base64: the same on every OpenAI-compatible server.
    const answer = await client.embeddings.create({ model, input: texts, dimensions: options.dimensions, encoding_format: "float" });
    const vectors = [...answer.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    // The model id names the width too: vectors of two widths never compare.
    return { model: `openai:${answer.model}:${options.dimensions}`, dimensions: options.dimensions, vectors };
  } catch (error) {
    throw vendorError(error);
  }
}

/** Wrapped where the call is made; the message names the status, never the key or the texts. */
function vendorError(error: unknown): PlatformError {
  return embedderVendorError("OpenAI", error instanceof OpenAI.APIError ? error.status : undefined);
}
