/**
 * Contact fields the bot has collected (name, email, phone), kept in `user.*`. Once collected they
 * are locked: the prompt lists them as known, and a reply that still asks for one has that
 * question removed, so the user is never asked twice.
 */
import { AI_FIELD_NAMES, type AiCollectedFields } from "../../sdk/ai-contract.ts";

export const FIELD_NAMES = AI_FIELD_NAMES;
export type FieldName = (typeof FIELD_NAMES)[number];
export type CollectedFields = AiCollectedFields;

const emailPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const phonePattern = /(?:\+|\b)\d[\d\s().-]{6,}\d\b/;
// The lead-in is matched in any case, the name only when capitalised ("I'm Ada", not "I'm fine").
const namePattern = /\b(?:[Mm]y name is|MY NAME IS|[Ii] am|[Ii]['’]m|[Cc]all me|[Tt]his is)\s+(\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+)?)/u;

/** Fields found in what the user said (only those not known yet are taken). */
export function extractFields(text: string, known: CollectedFields): CollectedFields {
  const found: CollectedFields = {};
  if (!known.email) { const m = emailPattern.exec(text); if (m) found.email = m[0]; }
  if (!known.phone) { const m = phonePattern.exec(text.replace(emailPattern, "")); if (m && m[0].replace(/\D/g, "").length >= 7) found.phone = m[0].trim(); }
  if (!known.name) { const m = namePattern.exec(text); if (m?.[1]) found.name = m[1]; }
  return found;
}

const askPatterns: Record<FieldName, RegExp> = {
  name: /\b(your|the) (full |first )?name\b|\bwho am i (speaking|talking) (to|with)\b/i,
  email: /\b(e-?mail)( address)?\b/i,
  phone: /\b(phone|mobile|cell|telephone)( number)?\b|\bnumber (to|where) (reach|call)\b/i,
};

/**
 * Removes the sentences of a reply that ask for a field already collected (a question mark, or
 * "please share/provide/give..."), keeping the rest. Returns the reply unchanged when none do.
 */
export function removeQuestionsForKnown(reply: string, known: CollectedFields): { text: string; removed: FieldName[] } {
  const locked = FIELD_NAMES.filter((f) => known[f]);
  if (locked.length === 0) return { text: reply, removed: [] };
  const removed = new Set<FieldName>();
  const paragraphs = reply.split(/\n{2,}/).map((paragraph) => {
    const sentences = paragraph.split(/(?<=[.!?])\s+/);
    return sentences.filter((sentence) => {
      const asks = /\?\s*$/.test(sentence) || /\b(please|kindly|could you|can you|may i have|what is|what's)\b.*\b(share|provide|give|send|enter|tell|have)\b/i.test(sentence) || /\b(what is|what's|may i have|can i get|could i get)\b/i.test(sentence);
      if (!asks) return true;
      const field = locked.find((f) => askPatterns[f].test(sentence));
      if (!field) return true;
      removed.add(field);
      return false;
    }).join(" ").trim();
  }).filter(Boolean);
  return { text: paragraphs.join("\n\n"), removed: [...removed] };
}
