/**
 * agent: a conversation with the bot's model and tools. On entry it greets and waits; each user
 * message then runs one agent turn (model and tool calls until an answer or the step limit) and
 * waits again. The transcript lives in the node's state, so it follows the session's
 * compare-and-set like everything else; collected fields go to `user.*`. The answer is streamed to a
 * user who watches the turn live.
 */
import { defineNodeType, z, type AiReply, type NodeHandler } from "../../core/sdk/index.ts";
import { collectedFrom } from "./collected-from.ts";

export const agentContent = z.object({
  greeting: z.string().max(1000).optional().describe("Said when the node starts, before the user's first message; default \"Hi! How can I help you today?\""),
  instructions: z.string().max(10_000).optional().describe("Extra instructions added to the bot's system prompt for this node"),
  tools: z.array(z.string().max(200).describe("A tool name, e.g. `mcp:crm/lookup`")).max(50).optional()
    .describe("The tools the agent may call here (up to 50), e.g. `mcp:crm/lookup`; the bot's own tools (`ai.tools`) when absent"),
  maxSteps: z.number().int().min(1).max(50).optional()
    .describe("The most model and tool steps per user message before the agent must answer (1–50); the platform's default when absent"),
});
export type AgentContent = z.infer<typeof agentContent>;

export const agentNode = defineNodeType({
  type: "agent",
  description: "Answers each user message with the bot's model, knowledge and tools, looping over tool calls until it has an answer.",
  content: agentContent,
  connections: ["default"],
  waitsForInput: true,
  sideEffects: true,
});

type AgentState = { transcript: AiReply["transcript"]; pending?: unknown };

export const runAgentNode: NodeHandler<AgentContent> = async (ctx) => {
  const content = ctx.node.content;
  const state = (ctx.state ?? { transcript: { turns: [] } }) as AgentState;
  const said = ctx.input?.text ?? ctx.input?.choice;
  if (said === undefined || !said.trim()) {
    const greeting = content.greeting ?? "Hi! How can I help you today?";
    return { messages: [{ type: "text", text: greeting }], wait: { type: "text" }, state };
  }
  const reply = await ctx.call<AiReply>("ai.respond", {
    botId: ctx.botId, sessionId: ctx.sessionId, message: said, mode: "agent",
    transcript: state.transcript, collected: collectedFrom((p) => ctx.vars.get(p)), session: ctx.vars.snapshot(),
    instructions: content.instructions, tools: content.tools, maxSteps: content.maxSteps, pending: state.pending,
    idempotencyKey: ctx.idempotencyKey,
  }, { stream: true });
  for (const [field, value] of Object.entries(reply.collected)) if (value) ctx.vars.set(`user.${field}`, value);
  return {
    messages: reply.text ? [{ type: "text", text: reply.text }] : [],
    wait: { type: "text", ...(reply.ctas.length ? { choices: reply.ctas.map((c) => ({ label: c.label, value: c.id })) } : {}) },
    state: { transcript: reply.transcript, ...(reply.pending ? { pending: reply.pending } : {}) },
  };
};
