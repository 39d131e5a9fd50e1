/**
 * condition: JSON-Logic rules over the session's variables; the first rule that holds wins, else
 * `else`. Targets are named in the content (`then`, `else`), so the node needs no `connections`;
 * `routes` exposes them to the runtime and to validation as `when_0`, `when_1`, ..., `else`.
 *
 * json-logic-js's `method` operation calls any method of any value, which is code execution, and
 * `log` writes to the console: both are refused at validation and at run time.
 */
import jsonLogic from "json-logic-js";
import { defineNodeType, z, type NodeHandler, type NodeValidator } from "../../core/sdk/index.ts";

export const conditionContent = z.object({
  // `format: "json-logic"` tells the console to draw the rule builder (rows of variable, operator, value).
  conditions: z.array(z.object({
    if: z.unknown().meta({ title: "If", description: 'A JSON-Logic rule over the variables, e.g. {">=": [{"var": "user.age"}, 18]}', format: "json-logic" }),
    then: z.string().min(1).meta({ title: "Then go to", description: "The id of the node to go to when this rule holds" }),
  })).max(50).describe("Rules checked in order (up to 50); the first that holds decides where the flow goes"),
  else: z.string().min(1).optional().describe("The id of the node to go to when no rule holds; without it the `default` connection is followed"),
});
export type ConditionContent = z.infer<typeof conditionContent>;

export const conditionNode = defineNodeType({
  type: "condition",
  description: "Branches on JSON-Logic rules over variables: first match wins, else the fallback.",
  content: conditionContent,
  connections: ["default"],
});

const operations = new Set([
  "==", "===", "!=", "!==", ">", ">=", "<", "<=", "!", "!!", "and", "or", "if", "?:", "var", "missing", "missing_some",
  "in", "cat", "substr", "+", "-", "*", "/", "%", "min", "max", "merge", "map", "filter", "reduce", "all", "none", "some",
]);

/** Why a rule is not JSON-Logic we run, or undefined when it is. */
export function logicProblem(rule: unknown): string | undefined {
  if (Array.isArray(rule)) {
    for (const item of rule) { const problem = logicProblem(item); if (problem) return problem; }
    return undefined;
  }
  if (rule === null || typeof rule !== "object") return undefined;
  const keys = Object.keys(rule);
  if (keys.length !== 1) return `an operation is an object with exactly one key, found {${keys.join(", ")}}`;
  const op = keys[0]!;
  if (!operations.has(op)) return `unknown operation "${op}"`;
  return logicProblem((rule as Record<string, unknown>)[op]);
}

export const conditionRoutes = (content: ConditionContent): Record<string, string> => {
  const routes: Record<string, string> = {};
  content.conditions.forEach((c, i) => { routes[`when_${i}`] = c.then; });
  if (content.else !== undefined) routes.else = content.else;
  return routes;
};

export const validateCondition: NodeValidator<ConditionContent> = (content, node) => {
  const problems: string[] = [];
  content.conditions.forEach((c, i) => {
    const problem = logicProblem(c.if);
    if (problem) problems.push(`conditions[${i}].if is not valid JSON-Logic: ${problem}`);
  });
  if (content.else === undefined && node.connections.default === undefined) problems.push("it needs an `else` (or a default connection) for when no condition holds");
  return problems;
};

export const runCondition: NodeHandler<ConditionContent> = (ctx) => {
  const data = ctx.vars.snapshot();
  for (const [i, condition] of ctx.node.content.conditions.entries()) {
    const problem = logicProblem(condition.if);
    if (problem) throw new Error(`conditions[${i}].if is not valid JSON-Logic: ${problem}`);
    if (jsonLogic.truthy(jsonLogic.apply(condition.if as jsonLogic.RulesLogic, data))) return { next: `when_${i}` };
  }
  return { next: ctx.node.content.else === undefined ? "default" : "else" };
};
