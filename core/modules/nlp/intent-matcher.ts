/**
 * Intents by embedding similarity: every example phrase of a bot's intents is embedded once (with
 * the platform's embedder, the one knowledge uses), and a message is the intent of its closest
 * example when that similarity reaches the bot's threshold, else "none". The closest example, not
 * the intent's mean: tenants give a handful of different phrasings ("where is my parcel", "track
 * my order"), and a mean vector would sit between them, near neither.
 */
import { NO_INTENT } from "../../engine/flow/message-understanding.ts";

export type IntentExamples = { name: string; examples: readonly string[] };
export type EmbeddedIntents = { model: string; intents: { name: string; vectors: number[][] }[] };
export type IntentMatch = { intent: string; intentConfidence: number };

export const DEFAULT_INTENT_THRESHOLD = 0.45;

export async function embedIntents(intents: readonly IntentExamples[], embed: (texts: string[]) => Promise<{ model: string; vectors: number[][] }>): Promise<EmbeddedIntents> {
  const texts = intents.flatMap((i) => i.examples);
  if (texts.length === 0) return { model: "", intents: [] };
  const { model, vectors } = await embed(texts);
  let at = 0;
  return { model, intents: intents.map((i) => ({ name: i.name, vectors: vectors.slice(at, (at += i.examples.length)) })) };
}

/** Vectors from the embedder are L2-normalised, but a provider's may drift: cosine, not a bare dot product. */
function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i]! * b[i]!; na += a[i]! * a[i]!; nb += b[i]! * b[i]!; }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function matchIntent(message: readonly number[], embedded: EmbeddedIntents, threshold: number): IntentMatch {
  let best = { intent: NO_INTENT, score: 0 };
  for (const intent of embedded.intents) {
    for (const vector of intent.vectors) {
      const score = cosine(message, vector);
      if (score > best.score) best = { intent: intent.name, score };
    }
  }
  const confidence = Math.round(Math.max(0, Math.min(1, best.score)) * 1000) / 1000;
  return best.score >= threshold ? { intent: best.intent, intentConfidence: confidence } : { intent: NO_INTENT, intentConfidence: confidence };
}
