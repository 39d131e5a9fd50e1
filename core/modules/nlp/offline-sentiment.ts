/**
 * Sentiment without a model call: wink-nlp's English lexicon scorer (AFINN and emoji/emoticon
 * scores, with negation — "not bad" is not negative — and intensifiers), which answers -1..1 for a
 * whole message. wink-nlp was chosen over `sentiment` (AFINN alone, no negation scope) and
 * `vader-sentiment` (a little-kept port) because the same toolkit also gives the offline
 * answerer its sentences, stems and negation (plugins/llm-offline).
 *
 * The language model (wink-eng-lite-web-model, about 3 MB) takes a few hundred milliseconds to
 * load, synchronously: it loads once per process, on the first message, not at start, where it
 * would hold the event loop while the node boots.
 */
import type winkNLP from "wink-nlp";

type Nlp = ReturnType<typeof winkNLP>;
let loading: Promise<Nlp> | undefined;

/** wink-nlp and its model, imported on first use: importing the model alone parses 3 MB at boot. */
function english(): Promise<Nlp> {
  // Only what sentiment needs: sentence breaks and negation (no part-of-speech tagging, no entities).
  loading ??= Promise.all([import("wink-nlp"), import("wink-eng-lite-web-model")]).then(([wink, model]) => wink.default(model.default, ["sbd", "negation", "sentiment"]));
  return loading;
}

/** -1 (very negative) .. 1 (very positive), rounded to 3 places; 0 for text with no opinion words. */
export async function offlineSentiment(text: string): Promise<number> {
  const nlp = await english();
  const score = nlp.readDoc(text).out(nlp.its.sentiment) as unknown as number;
  if (!Number.isFinite(score)) return 0;
  return Math.round(Math.max(-1, Math.min(1, score)) * 1000) / 1000;
}
