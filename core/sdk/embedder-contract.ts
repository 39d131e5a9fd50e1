/**
 * The contract every embedder plugin (kind "embedder") implements, as one action `embed`: the
 * platform batches the texts and checks the answer; an embedder only speaks its vendor's protocol.
 */
import { z } from "zod";
import { ErrorKind, PlatformError, TransientError } from "./platform-error.ts";

export const EmbedderErrorCode = {
  /** The vendor is down or rate limiting; the ingestion may be tried again. */
  unavailable: "EMBEDDER_UNAVAILABLE",
  /** The vendor refused the request, or answered the wrong number of vectors. */
  failed: "EMBEDDER_FAILED",
  /** The embedder has no key for its vendor on this platform. */
  notConfigured: "EMBEDDER_NOT_CONFIGURED",
} as const;

export const embedRequestSchema = z.object({
  texts: z.array(z.string().max(100_000)).min(1).max(512),
  options: z.object({
    /** The vendor's model; each embedder has its own default. */
    model: z.string().min(1).optional(),
    /** The width the knowledge column holds: every vector must have exactly this many numbers. */
    dimensions: z.number().int().min(1).max(4096),
    apiKey: z.string().min(1).optional(),
    baseUrl: z.string().optional(),
    timeoutMs: z.number().int().min(100).default(30_000),
  }),
});
export type EmbedRequest = z.infer<typeof embedRequestSchema>;
export type EmbedResponse = { model: string; dimensions: number; vectors: number[][] };

/** The embedder action's definition, for `definePlugin({ actions: { embed: embedAction } })`. */
export const embedAction = { description: "Embeds texts; one vector per text, in order.", params: embedRequestSchema };

/** A vendor's failure as the platform's error: 429, 5xx and network failures may pass; the rest will not. The message never holds the key or the texts. */
export function embedderVendorError(vendor: string, status: number | undefined): PlatformError {
  if (status === undefined || status === 429 || status >= 500) {
    return new TransientError(EmbedderErrorCode.unavailable, `${vendor} embeddings are unavailable right now${status ? ` (HTTP ${status})` : ""}`, { status: 503 });
  }
  return new PlatformError(EmbedderErrorCode.failed, `${vendor} refused the embeddings request (HTTP ${status})`, { status: 502, kind: ErrorKind.internal, data: { vendorStatus: status } });
}
