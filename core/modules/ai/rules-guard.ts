/**
 * Deterministic guards that run before any model: the tenant's rules, JSON-Logic over
 * `{ message, session }` or a pattern over the message, first match wins. A match answers at once
 * (a reply, a call to action, or both), so "I want an appointment" goes straight to the booking
 * call to action without a model call.
 */
import jsonLogic from "json-logic-js";
import type { CallToAction } from "../../engine/bots/bot-config.ts";
import type { AiRule } from "../../engine/bots/bot-ai-config.ts";
import { isSafeLogic } from "../../engine/bots/safe-logic.ts";

export type RuleMatch = { index: number; reply?: string; cta?: { id: string; label: string; url?: string } };

function findCta(ctas: readonly CallToAction[], id: string): CallToAction | undefined {
  for (const cta of ctas) {
    if (cta.id === id) return cta;
    const inner = findCta(cta.children ?? [], id);
    if (inner) return inner;
  }
  return undefined;
}

export function matchRule(rules: readonly AiRule[] | undefined, message: string, session: Record<string, unknown>, ctas: readonly CallToAction[]): RuleMatch | undefined {
  for (const [index, rule] of (rules ?? []).entries()) {
    let hit: boolean;
    if (rule.if !== undefined && !isSafeLogic(rule.if)) continue;
    try {
      hit = rule.pattern !== undefined ? new RegExp(rule.pattern, "i").test(message) : Boolean(jsonLogic.apply(rule.if as jsonLogic.RulesLogic, { message, session }));
    } catch {
      hit = false; // a rule that cannot be evaluated does not match; the model answers instead
    }
    if (!hit) continue;
    const cta = rule.then.cta !== undefined ? findCta(ctas, rule.then.cta) : undefined;
    return { index, reply: rule.then.reply, cta: cta ? { id: cta.id, label: cta.label, ...(cta.url ? { url: cta.url } : {}) } : undefined };
  }
  return undefined;
}

// json-logic-js's `method` calls any method of any value (code execution) and `log` writes to the
// console: rules may use only these operations, checked when the bot is saved and before running.
