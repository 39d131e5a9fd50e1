/**
 * handoff: hands the conversation to a human. The session then waits for a person
 * (`waiting_human`), the bot stays quiet, and `conversation.handoff.requested` is emitted for the
 * agents' inbox. When the human hands back (`engine.releaseHandoff`), the node runs again with an
 * empty input and follows `default`; without one the conversation ends.
 */
import { defineNodeType, z, type NodeHandler } from "../../core/sdk/index.ts";

export const handoffContent = z.object({
  message: z.string().min(1).max(4096).optional()
    .describe("Said to the user while they wait for a person; `{{scope.path}}` templates allowed; default \"Connecting you with a person. Please hold on.\""),
  reason: z.string().max(500).optional().describe("Why the conversation is handed over, for the agents who pick it up; `{{scope.path}}` templates allowed"),
  queue: z.string().max(100).optional().describe("The queue or team that should take the conversation, e.g. `billing`"),
});
export type HandoffContent = z.infer<typeof handoffContent>;

export const handoffNode = defineNodeType({
  type: "handoff",
  description: "Hands the conversation to a human agent.",
  content: handoffContent,
  connections: ["default"],
});

export const runHandoff: NodeHandler<HandoffContent> = (ctx) => {
  if (ctx.input !== undefined) return { next: "default" };
  const { message, reason, queue } = ctx.node.content;
  return {
    messages: [{ type: "text", text: ctx.render(message ?? "Connecting you with a person. Please hold on.") }],
    handoff: { reason: reason === undefined ? undefined : ctx.render(reason) },
    state: queue === undefined ? undefined : { queue },
  };
};
