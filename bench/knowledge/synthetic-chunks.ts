/**
 * Synthetic knowledge for the benchmark: passages of 40 to 90 words drawn with a Zipf law from a
 * vocabulary seeded with the help-centre corpus (test/knowledge/fixtures/corpus) and padded with
 * made-up words, so full-text posting lists and embeddings have realistic shapes (a few common
 * words, a long tail of rare ones). Seeded: every run loads the same data.
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

export function createTextGenerator(seed: number, vocabularySize = 6000): TextGenerator {
  const random = seeded(seed);
  const seen = new Set<string>();
  for (const doc of corpusDocuments()) for (const w of doc.text.toLowerCase().match(/[a-z]+/g) ?? []) seen.add(w);
  const vocabulary = [...seen];
  const syllables = ["ka", "lo", "mi", "ren", "tu", "vas", "pel", "dor", "shi", "an", "bre", "qui", "zo", "fen", "gar"];
  while (vocabulary.length < vocabularySize) {
    const n = 2 + Math.floor(random() * 3);
    vocabulary.push(Array.from({ length: n }, () => syllables[Math.floor(random() * syllables.length)]).join(""));
  }
  // Zipf (s = 1): cumulative weights 1/rank, sampled by binary search.
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= vocabulary.length; rank++) cumulative.push((total += 1 / rank));
  const word = () => {
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
  const words = (n: number) => Array.from({ length: n }, word).join(" ");
  return {
    passage: () => `${words(40 + Math.floor(random() * 50))}.`,
    question: () => `${words(4 + Math.floor(random() * 6))}?`,
  };
}

/** A Markdown help page of `sections` passages, for ingestion through the real upload route. */
export function markdownDocument(generator: TextGenerator, title: string, sections: number): string {
  const parts = [`# ${title}`];
  for (let i = 0; i < sections; i++) parts.push(`## Section ${i + 1}`, generator.passage());
  return parts.join("\n\n");
}
