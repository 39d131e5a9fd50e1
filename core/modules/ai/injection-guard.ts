/**
 * Recognises attempts to override the bot's instructions. They change nothing by themselves (user
 * text only ever travels in the user role, below the platform's guardrails); recognising them lets
 * the platform log them and remind the model, for that turn, that the rules stand.
 */
const patterns: readonly { name: string; pattern: RegExp }[] = [
  { name: "ignore_instructions", pattern: /\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(previous|prior|above|earlier|all|your|the|system)\b.{0,30}\b(instructions?|rules?|prompts?|guidelines|directives)\b/i },
  { name: "new_role", pattern: /\b(you are now|from now on,? you are|act as|pretend (to be|you are)|roleplay as)\b/i },
  { name: "reveal_prompt", pattern: /\b(reveal|show|print|repeat|tell me)\b.{0,30}\b(system prompt|your (instructions|prompt|rules))\b/i },
  { name: "fake_system", pattern: /(^|\n)\s*(system|assistant)\s*:|<\/?\s*system\s*>|\[\s*system\s*\]/i },
  { name: "developer_mode", pattern: /\b(developer|dan|jailbreak|god) mode\b/i },
];

/** The names of the patterns the text matches (empty when none). */
export function detectInjection(text: string): string[] {
  return patterns.filter((p) => p.pattern.test(text)).map((p) => p.name);
}
