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
  // Validated with the enclosing flow, in its own scopes.
  flow: z.object({
    start: z.string().min(1).describe("The id of the sub-flow's first node"),
    nodes: z.array(z.looseObject({
      id: z.string().describe("The node's id, unique within the sub-flow"),
      type: z.string().describe("The node's type, e.g. `question`; the node also has its `content` and `connections` as in any flow"),
    })).min(1).describe("The sub-flow's nodes, in the flow format"),
  }).describe("The sub-flow to run: it sees only `input.*` and its own `local.*`, and writes back only `output.*`"),
  inputs: z.array(z.object({
    name: name.describe("The input's name, read in the sub-flow as `input.<name>`"),
    value: z.unknown().describe("The value: a lone `{{scope.path}}` keeps the variable's type, other strings are templates, other JSON is passed as it is"),
  })).max(50).default([]).describe("Values handed to the sub-flow as `input.<name>` (up to 50); none by default"),
  outputs: z.array(z.object({
    variable: variable.describe("The variable of this flow that receives the value, e.g. `user.score`"),
    from: name.describe("The sub-flow output to copy, read from `output.<from>`"),
  })).max(50).default([]).describe("Values copied back from the sub-flow's `output.*` when it ends (up to 50); none by default"),
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
