/**
 * action: changes variables: set (a value, with templates; a lone `{{scope.path}}` keeps its type),
 * unset, increment (by a number, default 1) and append (to a list, created when missing).
 */
import { defineNodeType, loneVariable, z, type NodeHandler } from "../../core/sdk/index.ts";

const variable = z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, "a variable path like user.name");

export const actionContent = z.object({
  actions: z.array(z.discriminatedUnion("op", [
    z.object({ op: z.literal("set"), variable, value: z.unknown() }),
    z.object({ op: z.literal("unset"), variable }),
    z.object({ op: z.literal("increment"), variable, by: z.number().default(1) }),
    z.object({ op: z.literal("append"), variable, value: z.unknown() }),
  ])).min(1).max(50),
});
export type ActionContent = z.infer<typeof actionContent>;

export const actionNode = defineNodeType({
  type: "action",
  description: "Sets, unsets, increments or appends to variables.",
  content: actionContent,
  connections: ["default"],
});

/** Renders templates inside a value: strings, and strings within lists and objects. */
function resolveValue(value: unknown, render: (template: string) => unknown): unknown {
  if (typeof value === "string") return render(value);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, render));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, render)]));
  return value;
}

export const runAction: NodeHandler<ActionContent> = (ctx) => {
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
    } else {
      const current = ctx.vars.get(action.variable);
      const list = Array.isArray(current) ? [...current] : current === undefined ? [] : [current];
      list.push(resolveValue(action.value, render));
      ctx.vars.set(action.variable, list);
    }
  }
  return {};
};
