/**
 * Reading an answer for each question type: returns the value to store, or undefined when the
 * answer does not fit. Kept apart from the node so each rule is easy to read and test.
 */
import { z } from "zod";
import type { Choice } from "../../core/sdk/index.ts";

export type AnswerRules = {
  type: "text" | "number" | "email" | "phone" | "date" | "choice";
  pattern?: string;
  min?: number | string;
  max?: number | string;
  choices?: readonly Choice[];
};

const MAX_ANSWER = 2000;
// zod's email check: refuses spaces, a domain without a dot and a trailing dot (`ada@example.com.`).
const email = z.email().max(254);
const phone = /^\+?[0-9]{6,15}$/;
const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Lower and upper bounds for numbers (the value) and text (the length). */
function inRange(n: number, min: unknown, max: unknown): boolean {
  return (typeof min !== "number" || n >= min) && (typeof max !== "number" || n <= max);
}

function asDate(text: string): string | undefined {
  const m = isoDate.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // 2026-02-31 rolls over to March: not a date.
  return date.toISOString().slice(0, 10) === text ? text : undefined;
}

export function matchChoice(choices: readonly Choice[], answer: { text?: string; choice?: string }): Choice | undefined {
  if (answer.choice !== undefined) {
    const byValue = choices.find((c) => c.value === answer.choice);
    if (byValue) return byValue;
  }
  const text = (answer.text ?? answer.choice ?? "").trim().toLowerCase();
  if (text === "") return undefined;
  const index = /^\d+$/.test(text) ? Number(text) : NaN;
  return choices.find((c) => c.label.toLowerCase() === text || c.value.toLowerCase() === text) ?? (index >= 1 ? choices[index - 1] : undefined);
}

export function readAnswer(rules: AnswerRules, answer: { text?: string; choice?: string }): { value: unknown } | undefined {
  if (rules.type === "choice") {
    const choice = matchChoice(rules.choices ?? [], answer);
    return choice ? { value: choice.value } : undefined;
  }
  const text = (answer.text ?? answer.choice ?? "").trim();
  // Patterns are the tenant's: bound what they run over.
  if (text.length > MAX_ANSWER) return undefined;
  if (rules.pattern !== undefined && !new RegExp(rules.pattern, "u").test(text)) return undefined;
  switch (rules.type) {
    case "text":
      return inRange(text.length, rules.min, rules.max) ? { value: text } : undefined;
    case "number": {
      const n = /^[-+]?(\d+([.,]\d+)?|[.,]\d+)$/.test(text) ? Number(text.replace(",", ".")) : NaN;
      return Number.isFinite(n) && inRange(n, rules.min, rules.max) ? { value: n } : undefined;
    }
    case "email":
      return email.safeParse(text).success ? { value: text.toLowerCase() } : undefined;
    case "phone": {
      const compact = text.replace(/[\s().-]/g, "");
      return phone.test(compact) ? { value: compact } : undefined;
    }
    case "date": {
      const date = asDate(text);
      if (!date) return undefined;
      if (typeof rules.min === "string" && date < rules.min) return undefined;
      if (typeof rules.max === "string" && date > rules.max) return undefined;
      return { value: date };
    }
  }
}
