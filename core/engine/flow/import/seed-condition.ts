/**
 * The seed's condition shorthand as JSON-Logic: `{ "var": "user.age", "gte": 13 }` reads "user.age
 * >= 13" and becomes `{ ">=": [{ "var": "user.age" }, 13] }`; several comparisons on one variable
 * all have to hold. `and`, `or` and `not` take shorthand or JSON-Logic. Plain JSON-Logic passes
 * through with its variable paths mapped (seed-scopes.ts).
 */
import { seedPath, type SeedHome } from "./seed-scopes.ts";

const comparisons: Record<string, string> = {
  eq: "==", equals: "==", ne: "!=", neq: "!=", not_equals: "!=",
  gt: ">", gte: ">=", lt: "<", lte: "<=",
};

function mapVar(operand: unknown, home: SeedHome): unknown {
  if (typeof operand === "string") return operand === "" ? operand : seedPath(operand, home);
  if (Array.isArray(operand) && typeof operand[0] === "string") return [seedPath(operand[0], home), ...operand.slice(1)];
  return operand;
}

export function seedCondition(rule: unknown, home: SeedHome = "session"): unknown {
  if (Array.isArray(rule)) return rule.map((r) => seedCondition(r, home));
  if (rule === null || typeof rule !== "object") return rule;
  const entries = Object.entries(rule as Record<string, unknown>);
  const record = rule as Record<string, unknown>;
  if ("var" in record && entries.length > 1) {
    const variable = { var: mapVar(record.var, home) };
    const tests = entries.filter(([key]) => key !== "var").map(([key, value]): unknown => {
      if (key in comparisons) return { [comparisons[key]!]: [variable, value] };
      if (key === "in") return { in: [variable, value] };
      if (key === "contains") return { in: [value, variable] };
      if (key === "exists") return value ? { "!!": [variable] } : { "!": [variable] };
      return { [key]: [variable, value] }; // unknown: the validator names it
    });
    return tests.length === 1 ? tests[0] : { and: tests };
  }
  if (entries.length === 1) {
    const [key, value] = entries[0]!;
    if (key === "var") return { var: mapVar(value, home) };
    if (key === "not") return { "!": [seedCondition(Array.isArray(value) ? value[0] : value, home)] };
    return { [key]: seedCondition(value, home) };
  }
  return rule;
}
