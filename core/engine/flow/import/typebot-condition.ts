/**
 * A Typebot condition item (`{ logicalOperator: AND | OR, comparisons: [{ variableId,
 * comparisonOperator, value }] }`) → JSON-Logic over our variables. A value that is exactly one
 * `{{Variable}}` compares with that variable; numbers compare as numbers. Regular expressions have
 * no JSON-Logic counterpart: such an item is reported and left out.
 */
import type { TypebotVariables } from "./typebot-variables.ts";

type Comparison = { variableId?: unknown; comparisonOperator?: unknown; value?: unknown };

function operand(value: unknown, vars: TypebotVariables): unknown {
  if (typeof value !== "string") return value ?? "";
  const variable = vars.lone(value);
  if (variable) return { var: variable };
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value;
}

function compare(comparison: Comparison, vars: TypebotVariables): { logic: unknown } | { problem: string } {
  const path = typeof comparison.variableId === "string" ? vars.byId(comparison.variableId) : undefined;
  if (!path) return { problem: "a comparison names no known variable" };
  const left = { var: path };
  const right = operand(comparison.value, vars);
  const text = typeof comparison.value === "string" ? comparison.value : "";
  switch (comparison.comparisonOperator ?? "Equal to") {
    case "Equal to": return { logic: { "==": [left, right] } };
    case "Not equal": return { logic: { "!=": [left, right] } };
    case "Contains": return { logic: { in: [right, left] } };
    case "Does not contain": return { logic: { "!": [{ in: [right, left] }] } };
    case "Greater than": return { logic: { ">": [left, right] } };
    case "Greater or equal to": return { logic: { ">=": [left, right] } };
    case "Less than": return { logic: { "<": [left, right] } };
    case "Less or equal to": return { logic: { "<=": [left, right] } };
    case "Is set": return { logic: { "!!": [left] } };
    case "Is empty": return { logic: { "!": [left] } };
    case "Starts with": return { logic: { "==": [{ substr: [left, 0, text.length] }, text] } };
    case "Ends with": return { logic: { "==": [{ substr: [left, -text.length] }, text] } };
    case "Matches regex":
    case "Does not match regex": return { problem: "regular expression comparisons are not supported" };
    default: return { problem: `the comparison "${String(comparison.comparisonOperator)}" is not known` };
  }
}

export function typebotCondition(content: unknown, vars: TypebotVariables): { logic: unknown } | { problem: string } {
  const condition = (content !== null && typeof content === "object" ? content : {}) as { logicalOperator?: unknown; comparisons?: unknown };
  const comparisons = Array.isArray(condition.comparisons) ? (condition.comparisons as unknown[]).filter((c): c is Comparison => c !== null && typeof c === "object") : [];
  if (comparisons.length === 0) return { problem: "it has no comparisons" };
  const rules: unknown[] = [];
  for (const comparison of comparisons) {
    const rule = compare(comparison, vars);
    if ("problem" in rule) return rule;
    rules.push(rule.logic);
  }
  if (rules.length === 1) return { logic: rules[0] };
  return { logic: { [condition.logicalOperator === "OR" ? "or" : "and"]: rules } };
}
