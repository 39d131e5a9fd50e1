/**
 * The default embedder: deterministic feature hashing, no model, no download, no network.
 *
 * Each text becomes a bag of features: its words (lower-cased, Unicode letters and digits, common
 * English function words dropped) and the character trigrams of each word (" shipping " gives
 * " sh", "shi", "hip", …), so "ship", "shipping" and "shipped" share most of their features.
 * Features are hashed (FNV-1a) into 384 signed buckets, counts are damped (1 + ln tf) and the
 * vector is L2-normalised, so cosine similarity measures shared vocabulary.
 *
 * Limits, on purpose: it knows spelling, not meaning. "refund" and "money back" do not meet;
 * synonyms, paraphrases and cross-language queries need a provider embedder. Collisions in 384
 * buckets add a little noise (unrelated texts score around ±0.05). It is good enough for FAQs and
 * manuals queried with their own words, which is what the embedded default is for.
 */
export const OFFLINE_DIMENSIONS = 384;
export const OFFLINE_MODEL = "offline-hash-384-v1";

const stopwords = new Set(
  "a an and are as at be by do does for from has have how i in is it its me my of on or our so that the this to was we what when where which who why will with you your".split(" "),
);
const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.35;

export function embedText(text: string): number[] {
  const counts = new Map<string, number>();
  const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
  for (const word of text.toLowerCase().normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (stopwords.has(word)) continue;
    add(`w:${word}`, WORD_WEIGHT);
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  }
  const vector = new Array<number>(OFFLINE_DIMENSIONS).fill(0);
  for (const [feature, count] of counts) {
    const hash = fnv1a(feature);
    // The sign comes from a bit the bucket does not use, so collisions cancel rather than pile up.
    const sign = hash & 0x80000000 ? -1 : 1;
    vector[(hash & 0x7fffffff) % OFFLINE_DIMENSIONS]! += sign * (1 + Math.log(count));
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
