/** end: ends the conversation (inside a composite: ends the sub-flow), with an optional goodbye. */
import { defineNodeType, z, type NodeHandler } from "../../core/sdk/index.ts";

export const endContent = z.object({
  message: z.string().min(1).max(4096).optional().describe("A last message said before the conversation ends; `{{scope.path}}` templates allowed; none by default"),
});
export type EndContent = z.infer<typeof endContent>;

export const endNode = defineNodeType({
  type: "end",
  description: "Ends the conversation.",
  content: endContent,
  connections: [],
});

export const runEnd: NodeHandler<EndContent> = (ctx) => ({
  end: true,
  messages: ctx.node.content.message ? [{ type: "text", text: ctx.render(ctx.node.content.message) }] : [],
});
