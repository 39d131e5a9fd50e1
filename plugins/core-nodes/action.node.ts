/**
 * action: changes variables: set (a value, with templates; a lone `{{scope.path}}` keeps its type),
 * unset, increment (by a number, default 1) and append (to a list, created when missing); and
 * `track`, a custom event for the content library's experiments (a goal may be one); and
 * `call`, an HTTP call whose answer is mapped into variables (see api-call.ts). Entries run in
 * order. The node follows `success` (or `default`) when all went well, and `error` at the first
 * call that failed without a fallback answer, or that used its fallback when the node has an
 * `error` connection.
 */
import { defineNodeType, loneVariable, z, type NodeHandler, type NodeValidator } from "../../core/sdk/index.ts";
import { apiCallEntry, apiCallProblems, runApiCall } from "./api-call.ts";

const variable = z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, "a variable path like user.name")
  .describe("The variable to change, as a path like `user.name`");
const op = <T extends string>(name: T) => z.literal(name).describe("What this entry does");
const value = z.unknown()
  .describe("The value to store or add: any JSON whose strings are `{{scope.path}}` templates; a string that is only one `{{scope.path}}` keeps that variable's type");

export const actionContent = z.object({
  actions: z.array(z.discriminatedUnion("op", [
    z.object({ op: op("set"), variable, value }).describe("Stores a value in a variable"),
    z.object({ op: op("unset"), variable }).describe("Removes a variable"),
    z.object({ op: op("increment"), variable, by: z.number().default(1).describe("The number to add (negative to subtract); default 1") })
      .describe("Adds a number to a variable (a missing or non-numeric one counts as 0)"),
    z.object({ op: op("append"), variable, value }).describe("Adds a value at the end of a list variable, creating the list when missing"),
    z.object({ op: op("track"), event: z.string().min(1).max(100).describe("The event's name, which an experiment's goal may name") })
      .describe("Records a custom event for the content library's experiments"),
    apiCallEntry,
  ])).min(1).max(50).describe("The changes to make, run in order (1–50)"),
});
export type ActionContent = z.infer<typeof actionContent>;

export const actionNode = defineNodeType({
  type: "action",
  description: "Sets, unsets, increments or appends to variables.",
  content: actionContent,
  connections: ["default", "success", "error"],
});

export const validateAction: NodeValidator<ActionContent> = (content, node) => {
  const problems: string[] = [];
  content.actions.forEach((action, i) => { if (action.op === "call") problems.push(...apiCallProblems(action, i)); });
  const unguarded = content.actions.some((a) => a.op === "call" && a.fallback === undefined);
  if (unguarded && node.connections.error === undefined) problems.push("it makes a call without a fallback, so it needs an `error` connection for when the call fails");
  return problems;
};

/** Renders templates inside a value: strings, and strings within lists and objects. */
function resolveValue(value: unknown, render: (template: string) => unknown): unknown {
  if (typeof value === "string") return render(value);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, render));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, render)]));
  return value;
}

export const runAction: NodeHandler<ActionContent> = async (ctx) => {
  const render = (template: string): unknown => {
    const only = loneVariable(template);
    return only ? structuredClone(ctx.vars.get(only.ref)) : ctx.render(template);
  };
  for (const action of ctx.node.content.actions) {
    if (action.op === "set") ctx.vars.set(action.variable, resolveValue(action.value, render));
    else if (action.op === "unset") ctx.vars.unset(action.variable);
    else if (action.op === "increment") {
      const current = Number(ctx.vars.get(action.variable) ?? 0);
      ctx.vars.set(action.variable, (Number.isFinite(current) ? current : 0) + action.by);
    } else if (action.op === "track") {
      ctx.content.track(action.event);
    } else if (action.op === "call") {
      const outcome = await runApiCall(ctx, action);
      if (!outcome.ok || (outcome.fellBack && ctx.node.connections.error !== undefined)) return { next: "error" };
    } else {
      const current = ctx.vars.get(action.variable);
      const list = Array.isArray(current) ? [...current] : current === undefined ? [] : [current];
      list.push(resolveValue(action.value, render));
      ctx.vars.set(action.variable, list);
    }
  }
  return ctx.node.connections.success !== undefined ? { next: "success" } : {};
};
