/**
 * The default embedder: deterministic feature hashing, no model, no download, no network.
 *
 * Each text becomes a bag of features: its words (lower-cased, Unicode letters and digits, common
 * English function words dropped) reduced to a light English stem ("shipping", "shipped" and
 * "ships" all give "ship"); the first five letters of each longer stem, so that "delivery" meets
 * "deliver" and "recyclable" meets "recycling"; and, for words in customer-service.lexicon.ts, a
 * feature shared by their synonyms, so that "postage" meets "delivery" and "send it back" meets
 * "return". Features are hashed (FNV-1a) into 384 signed buckets, four per feature, counts are
 * damped (1 + ln tf) and the vector is L2-normalised, so cosine similarity measures shared
 * vocabulary.
 *
 * Limits, on purpose: it knows spelling and a short list of synonyms, not meaning. Paraphrases
 * outside the list, other languages and cross-language queries need a provider embedder.
 * Collisions in 384 buckets add noise (unrelated texts score around ±0.05, now and then 0.1). It
 * is good enough for a help centre queried in its customers' words (see
 * test/knowledge/retrieval.test.ts), which is what the embedded default is for.
 *
 * v2 (stems, lexicon, four buckets) replaced v1 (words and character trigrams): passages embedded
 * by v1 are not compared with v2 questions (the store filters by model); re-ingest them.
 */
import { customerServicePhrases, customerServiceSynonyms } from "./customer-service.lexicon.ts";
import { englishStem, englishStopwords } from "./english-words.ts";

export const OFFLINE_DIMENSIONS = 384;
export const OFFLINE_MODEL = "offline-hash-384-v2";

const STEM_WEIGHT = 1;
const PREFIX_WEIGHT = 0.5;
const PREFIX = 5;
const CONCEPT_WEIGHT = 1;
// Each feature is added to four buckets (salted hashes) at half its weight, so its share of the
// vector's length is what one bucket at full weight would give.
const PROBES = ["", "#", "$", "%"];

/** Each stem's synonym groups (customer-service.lexicon.ts), by index. */
const concepts = new Map<string, number[]>();
customerServiceSynonyms.forEach((group, index) => {
  for (const word of group) {
    const stem = englishStem(word);
    concepts.set(stem, [...new Set([...(concepts.get(stem) ?? []), index])]);
  }
});
/** "first second" → the word the pair stands for, keyed by the stems of both. */
const phrases = new Map(customerServicePhrases.map(([first, second, meaning]) => [`${englishStem(first)} ${englishStem(second)}`, englishStem(meaning)]));

/** The features of a text, weighted, before hashing (exported for tests and tuning). */
export function textFeatures(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
  const addConcepts = (stem: string) => {
    for (const index of concepts.get(stem) ?? []) add(`c:${index}`, CONCEPT_WEIGHT);
  };
  // Two-word phrases: the second word with one of the three words before it, since English
  // separates phrasal verbs ("send the parcel back", "pick my order up").
  const recent: string[] = [];
  for (const word of text.toLowerCase().normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? []) {
    const stem = englishStem(word);
    for (const before of new Set(recent)) {
      const phrase = phrases.get(`${before} ${stem}`);
      if (phrase) addConcepts(phrase);
    }
    recent.push(stem);
    if (recent.length > 3) recent.shift();
    if (englishStopwords.has(word)) continue;
    add(`w:${stem}`, STEM_WEIGHT);
    if (stem.length > PREFIX) add(`p:${stem.slice(0, PREFIX)}`, PREFIX_WEIGHT);
    addConcepts(stem);
  }
  return counts;
}

export function embedText(text: string): number[] {
  const vector = new Array<number>(OFFLINE_DIMENSIONS).fill(0);
  for (const [feature, count] of textFeatures(text)) {
    const weight = (count >= 1 ? 1 + Math.log(count) : count) / Math.sqrt(PROBES.length);
    // Several buckets a feature (count-sketch style), each with a sign from a bit the bucket does
    // not use: one accidental collision moves a quarter as much, so two short unrelated texts
    // rarely reach the search's similarity floor (0.1) by chance.
    for (const salt of PROBES) {
      const hash = fnv1a(salt + feature);
      vector[(hash & 0x7fffffff) % OFFLINE_DIMENSIONS]! += hash & 0x80000000 ? -weight : weight;
    }
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
