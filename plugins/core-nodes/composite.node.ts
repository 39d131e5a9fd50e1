/**
 * composite: runs a reusable sub-flow with explicit inputs and outputs. The sub-flow sees only
 * `input.*` (the values listed in `inputs`, read-only) and its own `local.*`, and writes only
 * `output.*`; when it ends, the values listed in `outputs` are copied from `output.*` into the
 * enclosing flow's variables. The runtime keeps the sub-flow's scopes apart (its frame), so a
 * sub-flow may ask questions and wait across turns.
 */
import { defineNodeType, loneVariable, z, type NodeHandler } from "../../core/sdk/index.ts";

const variable = z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, "a variable path like user.name");
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a name like customer_id");

export const compositeContent = z.object({
  /** The sub-flow, in the flow format; validated with the enclosing flow, in its own scopes. */
  flow: z.object({ start: z.string().min(1), nodes: z.array(z.looseObject({ id: z.string(), type: z.string() })).min(1) }),
  /** `input.<name>` ← a value (a lone `{{scope.path}}` keeps its type; other strings are templates). */
  inputs: z.array(z.object({ name, value: z.unknown() })).max(50).default([]),
  /** `variable` (in the enclosing flow) ← `output.<from>`. */
  outputs: z.array(z.object({ variable, from: name })).max(50).default([]),
});
export type CompositeContent = z.infer<typeof compositeContent>;

export const compositeNode = defineNodeType({
  type: "composite",
  description: "Runs a reusable sub-flow that sees only its inputs and writes back only its outputs.",
  content: compositeContent,
  connections: ["default"],
});

export const compositeSubflow = (content: CompositeContent): unknown => content.flow;

export const runComposite: NodeHandler<CompositeContent> = (ctx) => {
  const { inputs, outputs } = ctx.node.content;
  if (ctx.returned === undefined) {
    const input: Record<string, unknown> = {};
    for (const { name, value } of inputs) {
      const only = typeof value === "string" ? loneVariable(value) : undefined;
      input[name] = only ? ctx.vars.get(only.ref) : typeof value === "string" ? ctx.render(value) : value;
    }
    return { call: { input } };
  }
  for (const { variable, from } of outputs) ctx.vars.set(variable, structuredClone(ctx.returned[from]));
  return { next: "default" };
};
