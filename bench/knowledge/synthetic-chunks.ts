/**
 * Synthetic knowledge for the benchmark: passages of 40 to 90 words drawn with a Zipf law from a
 * vocabulary seeded with the help-centre corpus (test/knowledge/fixtures/corpus) and padded with
 * made-up words, so full-text posting lists and embeddings have realistic shapes (a few common
 * words, a long tail of rare ones). Seeded: every run loads the same data.
 *
 * "topical" (the default) draws most of a passage's words from one of a few hundred topics, as
 * real pages on returns or delivery share their vocabulary; "uniform" draws every word from the
 * whole vocabulary, which makes every passage about equally far from every other: the worst
 * case for an approximate (HNSW) index, where the ten nearest are barely nearer than the rest.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const CORPUS = join(import.meta.dirname, "..", "..", "test", "knowledge", "fixtures", "corpus");

export function corpusDocuments(): { name: string; text: string }[] {
  return readdirSync(CORPUS).filter((f) => f.endsWith(".md")).sort().map((name) => ({ name, text: readFileSync(join(CORPUS, name), "utf8") }));
}

/** mulberry32: a small seeded generator, good enough to shuffle words. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type TextGenerator = { passage(): string; question(): string };

export type TextShape = "topical" | "uniform";

export function createTextGenerator(seed: number, shape: TextShape = "topical", vocabularySize = 6000): TextGenerator {
  // The vocabulary and topics are the same for every generator (every tenant writes about the
  // same kinds of things, so other tenants' passages are near neighbours and the filter matters);
  // `seed` only drives which words each one draws.
  const shared = seeded(42);
  const seen = new Set<string>();
  for (const doc of corpusDocuments()) for (const w of doc.text.toLowerCase().match(/[a-z]+/g) ?? []) seen.add(w);
  const vocabulary = [...seen];
  const syllables = ["ka", "lo", "mi", "ren", "tu", "vas", "pel", "dor", "shi", "an", "bre", "qui", "zo", "fen", "gar"];
  while (vocabulary.length < vocabularySize) {
    const n = 2 + Math.floor(shared() * 3);
    vocabulary.push(Array.from({ length: n }, () => syllables[Math.floor(shared() * syllables.length)]).join(""));
  }
  // Zipf (s = 1): cumulative weights 1/rank, sampled by binary search.
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= vocabulary.length; rank++) cumulative.push((total += 1 / rank));
  const zipf = (random: () => number) => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
  // Topics: 300 sets of 60 words past the 50 commonest (a topic is named by its less common
  // words), popular topics drawn more often.
  const topics = Array.from({ length: 300 }, () => Array.from({ length: 60 }, () => vocabulary[50 + Math.floor(shared() * (vocabulary.length - 50))]!));
  const random = seeded(seed);
  const word = () => zipf(random);
  const topic = () => topics[Math.min(topics.length - 1, Math.floor(topics.length * random() ** 2))]!;
  const words = (n: number, onTopic: number) => {
    const about = topic();
    return Array.from({ length: n }, () => (shape === "topical" && random() < onTopic ? about[Math.floor(random() * about.length)]! : word())).join(" ");
  };
  return {
    passage: () => `${words(40 + Math.floor(random() * 50), 0.6)}.`,
    question: () => `${words(4 + Math.floor(random() * 6), 0.7)}?`,
  };
}

/** A Markdown help page of `sections` passages, for ingestion through the real upload route. */
export function markdownDocument(generator: TextGenerator, title: string, sections: number): string {
  const parts = [`# ${title}`];
  for (let i = 0; i < sections; i++) parts.push(`## Section ${i + 1}`, generator.passage());
  return parts.join("\n\n");
}
