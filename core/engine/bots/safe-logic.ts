/**
 * The JSON-Logic operations a tenant's rule may use: the pure ones. Checked when a bot's config is
 * saved, so a rule never reaches json-logic-js with an operation we did not allow.
 */
const operations = new Set([
  "==", "===", "!=", "!==", ">", ">=", "<", "<=", "!", "!!", "and", "or", "if", "?:", "var", "missing", "missing_some",
  "in", "cat", "substr", "+", "-", "*", "/", "%", "min", "max", "merge", "map", "filter", "reduce", "all", "none", "some",
]);

/** True when the rule uses only the allowed operations. */
export function isSafeLogic(rule: unknown): boolean {
  if (Array.isArray(rule)) return rule.every(isSafeLogic);
  if (rule === null || typeof rule !== "object") return true;
  const keys = Object.keys(rule);
  return keys.length === 1 && operations.has(keys[0]!) && isSafeLogic((rule as Record<string, unknown>)[keys[0]!]);
}
