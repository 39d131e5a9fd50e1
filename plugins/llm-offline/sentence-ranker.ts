/**
 * Which sentence of the retrieved passages answers a question, without a model. Each sentence is
 * scored against the question with BM25 over the retrieved sentences, on terms read by wink-nlp
 * (the toolkit the platform's sentiment uses): its sentence breaks, lemmas (so "paid" meets "pay"
 * and "children" meets "child") reduced to Porter2 stems (wink-porter2-stemmer, so "instalments"
 * meets "instalment"), stop words and negation scopes; and adjacent word pairs, so "same day"
 * finds "the same day". On top of plain term overlap, what a help page needs:
 *
 * - rare terms count more (IDF over the retrieved sentences): in a question about the Fremantle
 *   workshop on Saturday, "saturday" says more than "workshop", which every sentence has;
 * - days are normalised: "Tuesday" and "Mon" meet "weekdays" and "Monday to Friday", "Sunday"
 *   meets "weekend" (stems already join "Saturdays" and "Saturday"), and "open" meets "closed";
 * - a sentence that refers back ("On Saturdays it opens at 9:00") borrows the terms of the
 *   sentence before it, at half weight, so "it" carries "the Fremantle workshop";
 * - the question's kind: "when" wants a time, "how much" an amount, "how long" a number,
 *   "where" a place, and a sentence that has one gets a bonus worth about one ordinary term;
 * - negation: a term the question negates ("which parts can't be returned") counts less in a
 *   sentence where it is not negated. A positive question is not penalised by a negative answer
 *   ("Can I pay by cheque?" is answered by "We do not accept cheques.").
 *
 * A sentence's terms are kept per text (the same passages come back for many questions).
 *
 * The `natural` library (BM25-free TF-IDF, its own stemmers) was weighed: it duplicates what
 * wink-nlp already gives here, for a second 10 MB dependency.
 */
import type winkNLP from "wink-nlp";
import porter2 from "wink-porter2-stemmer";

type Nlp = ReturnType<typeof winkNLP>;
let nlp: Nlp | undefined;
let loading: Promise<Nlp> | undefined;

/**
 * wink-nlp and its model, imported on first use (importing the model parses 3 MB, which a node
 * that never answers offline should not pay at boot). Part-of-speech tagging for lemmas; no
 * entity recognition, which would cost more than the rest.
 */
export function loadEnglish(): Promise<Nlp> {
  loading ??= Promise.all([import("wink-nlp"), import("wink-eng-lite-web-model")]).then(([wink, model]) => (nlp = wink.default(model.default, ["sbd", "negation", "pos"])));
  return loading;
}

function english(): Nlp {
  if (!nlp) throw new Error("loadEnglish() first");
  return nlp;
}

export type Passage = { text: string; source: string; score: number };
/** `matched`: the question's terms the sentence itself has; `answersKind`: it has what the question asks for (a time for "when"). */
export type RankedSentence = { sentence: string; source: string; score: number; matched: number; answersKind: boolean };

type Term = { term: string; weight: number; negated: boolean };
type Sentence = { text: string; source: string; passageRank: number; terms: Term[]; refersBack: boolean; length: number };

const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"];
const weekend = ["saturday", "sunday"];
const dayAbbreviations: Record<string, string> = { mon: "monday", tue: "tuesday", tues: "tuesday", wed: "wednesday", thu: "thursday", thur: "thursday", thurs: "thursday", fri: "friday", sat: "saturday", sun: "sunday" };
/** Words that stand for a broader term, at this weight: a weekday is on a weekday, opening hours answer "closed" too. */
const related: Record<string, { term: string; weight: number }[]> = {
  ...Object.fromEntries(weekdays.map((d) => [d, [{ term: "weekday", weight: 0.5 }]])),
  ...Object.fromEntries(weekend.map((d) => [d, [{ term: "weekend", weight: 0.5 }]])),
  // "during the week" asks about weekdays.
  week: [{ term: "weekday", weight: 0.5 }],
  open: [{ term: "close", weight: 0.5 }],
  close: [{ term: "open", weight: 0.5 }],
};
const referring = new Set(["it", "its", "they", "their", "them", "this", "these", "there"]);

const hints: { question: RegExp; answer: RegExp }[] = [
  { question: /\b(when|what time|which time|hours?)\b/i, answer: /\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(am|pm)\b|\b(midday|noon|midnight)\b/i },
  { question: /\bhow much\b|\b(cost|costs|price|prices|fee|fees|charge|charged|pay for)\b/i, answer: /[$€£]\s?\d|\d\s?%|\bfree\b/i },
  { question: /\bhow (long|many|soon|quickly|often)\b/i, answer: /\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|lifetime|same day)\b/i },
  { question: /\bwhere\b/i, answer: /\b(at|in|from|on|behind|near)\s+(the\s+)?[A-Z][a-z]+/ },
  { question: /\b(phone|number|call|ring)\b/i, answer: /\b\d{2,4}\s\d{3,4}\s\d{3,4}\b/ },
];

/** A word's canonical term: the stem of its lemma, a day's full name, a number as written. */
function canonical(normal: string, lemma: string, type: string): string {
  if (type !== "word") return normal;
  const day = dayAbbreviations[normal];
  if (day) return day;
  return porter2(lemma.replace(/'s$/, ""));
}

/** Words too common to make a pair worth matching on their own ("of the", "to a"). */
const glue = new Set("a an the of to in on at for and or by with is are be my your our i you we it its this that".split(" "));
const PAIR_WEIGHT = 0.5;
const known = new Map<string, { terms: Term[]; refersBack: boolean }>();

/** The content terms of a text, with related terms and word pairs added, and whether the text refers back. */
function termsOf(text: string): { terms: Term[]; refersBack: boolean } {
  const cached = known.get(text);
  if (cached) return cached;
  const nlp = english();
  const { its } = nlp;
  const tokens = nlp.readDoc(text).tokens();
  const normals = tokens.out(its.normal) as string[];
  // wink-nlp 2.4's typings give `its.lemma` (which needs the model's addons) a signature `out()` refuses; it runs as any other.
  const lemmas = tokens.out(its.lemma as unknown as typeof its.normal) as string[];
  const types = tokens.out(its.type) as string[];
  const stop = tokens.out(its.stopWordFlag) as unknown as boolean[];
  const negated = tokens.out(its.negationFlag) as unknown as boolean[];
  const terms: Term[] = [];
  let refersBack = false;
  let previous: string | undefined;
  for (let i = 0; i < normals.length; i++) {
    const normal = normals[i]!;
    if (referring.has(normal)) refersBack = true;
    if (types[i] !== "word" && types[i] !== "number") { previous = undefined; continue; }
    const word = canonical(normal, lemmas[i]!, types[i]!);
    if (previous !== undefined && !(glue.has(previous) || glue.has(normal))) terms.push({ term: `${previous} ${word}`, weight: PAIR_WEIGHT, negated: negated[i] === true });
    previous = glue.has(normal) ? normal : word;
    if (stop[i] || (normal.length < 2 && types[i] === "word")) continue;
    terms.push({ term: word, weight: 1, negated: negated[i] === true });
    for (const r of related[word] ?? []) terms.push({ term: r.term, weight: r.weight, negated: negated[i] === true });
  }
  // "Monday to Friday" is the working week.
  if (/\bmonday\s+(to|-|–|through|until)\s+friday\b/i.test(text)) terms.push({ term: "weekday", weight: 1, negated: false });
  const found = { terms, refersBack };
  if (known.size > 5000) known.clear();
  known.set(text, found);
  return found;
}

/** Blocks of prose: Markdown headings, list markers and table pipes are not sentences. */
function blocks(text: string): string[] {
  return text.split(/\n\s*\n|\n(?=\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|\|))/)
    .map((b) => b.replace(/^\s*(#{1,6}|[-*+]|\d+[.)])\s+/gm, "").replace(/\s*\n\s*/g, " ").trim())
    .filter(Boolean);
}

function sentencesOf(passages: readonly Passage[]): Sentence[] {
  const nlp = english();
  const seen = new Set<string>();
  const out: Sentence[] = [];
  passages.forEach((passage, passageRank) => {
    for (const block of blocks(passage.text)) {
      for (const text of nlp.readDoc(block).sentences().out() as string[]) {
        const sentence = text.trim();
        // Overlapping chunks repeat sentences; a heading alone ("Delivery") answers nothing.
        if (seen.has(sentence) || sentence.split(/\s+/).length < 3) continue;
        seen.add(sentence);
        const { terms, refersBack } = termsOf(sentence);
        out.push({ text: sentence, source: passage.source, passageRank, terms, refersBack, length: terms.filter((t) => t.weight === 1).length });
      }
    }
  });
  return out;
}

const K1 = 1.2;
const B = 0.75;
const BORROWED = 0.5;

/** The retrieved sentences, best answer first. */
export function rankSentences(question: string, passages: readonly Passage[]): RankedSentence[] {
  const sentences = sentencesOf(passages);
  if (sentences.length === 0) return [];
  const asked = termsOf(question).terms;
  const wanted = new Map<string, { weight: number; negated: boolean }>();
  for (const t of asked) {
    const known = wanted.get(t.term);
    if (!known || known.weight < t.weight) wanted.set(t.term, { weight: t.weight, negated: t.negated });
  }
  const df = new Map<string, number>();
  for (const s of sentences) for (const term of new Set(s.terms.map((t) => t.term))) df.set(term, (df.get(term) ?? 0) + 1);
  const n = sentences.length;
  const idf = (term: string) => Math.log(1 + (n - (df.get(term) ?? 0) + 0.5) / ((df.get(term) ?? 0) + 0.5));
  const averageLength = sentences.reduce((sum, s) => sum + s.length, 0) / n || 1;
  const hintWeight = [...wanted.keys()].reduce((sum, t) => sum + idf(t), 0) / Math.max(1, wanted.size);
  const questionHints = hints.filter((h) => h.question.test(question));

  /** BM25 of one sentence's own terms; `except` leaves out terms already counted. */
  function score(s: Sentence, except?: ReadonlySet<string>): { score: number; matched: Set<string> } {
    const matched = new Set<string>();
    let total = 0;
    for (const [term, want] of wanted) {
      if (except?.has(term)) continue;
      let tf = 0;
      for (const t of s.terms) {
        if (t.term !== term) continue;
        // A term the question negates counts less where the sentence affirms it.
        tf += t.weight * (want.negated && !t.negated ? 0.5 : 1);
      }
      if (tf === 0) continue;
      if (want.weight === 1 && s.terms.some((t) => t.term === term && t.weight === 1)) matched.add(term);
      total += want.weight * idf(term) * (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * s.length / averageLength));
    }
    return { score: total, matched };
  }

  const ranked = sentences.map((s, i) => {
    const own = score(s);
    let total = own.score;
    const before = sentences[i - 1];
    if (s.refersBack && before && before.source === s.source && before.passageRank === s.passageRank) total += BORROWED * score(before, new Set(s.terms.map((t) => t.term))).score;
    const answersKind = own.matched.size > 0 && questionHints.some((hint) => hint.answer.test(s.text));
    if (answersKind) total += hintWeight;
    return { sentence: s.text, source: s.source, score: total, matched: own.matched.size, answersKind, passageRank: s.passageRank, at: i };
  });
  // Ties go to the passage retrieval ranked higher, then to the earlier sentence.
  ranked.sort((a, b) => b.score - a.score || a.passageRank - b.passageRank || a.at - b.at);
  return ranked.map(({ sentence, source, score, matched, answersKind }) => ({ sentence, source, score, matched, answersKind }));
}

/** How many content terms a question has (for deciding whether one shared term is enough). */
export function questionTermCount(question: string): number {
  return new Set(termsOf(question).terms.filter((t) => t.weight === 1).map((t) => t.term)).size;
}
