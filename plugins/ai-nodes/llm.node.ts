/**
 * llm: one completion. The prompt is a template over the session's variables and is sent as the
 * user's message (never as system instructions); the answer goes into a variable, is said to the
 * user, or both. Then the flow follows `default`. An answer said to a user who watches the turn
 * live (the web chat's SSE) is streamed to them token by token.
 */
import { defineNodeType, z, type AiReply, type NodeHandler, type NodeValidator } from "../../core/sdk/index.ts";
import { collectedFrom } from "./collected-from.ts";

export const llmContent = z.object({
  prompt: z.string().min(1).max(20_000).describe("What the model is asked, sent as the user's message (never as instructions); `{{scope.path}}` templates allowed"),
  instructions: z.string().max(10_000).optional().describe("Extra instructions added to the bot's system prompt for this call"),
  variable: z.string().regex(/^(user|session|temp|local|output)(\.[A-Za-z0-9_-]+)+$/, "a variable path like session.summary").optional()
    .describe("Where the answer is stored, as a path in the user, session, temp, local or output scope, e.g. `session.summary`"),
  reply: z.boolean().optional().describe("Whether the answer is said to the user; default: true when no variable is given, else false"),
});
export type LlmContent = z.infer<typeof llmContent>;

export const llmNode = defineNodeType({
  type: "llm",
  description: "One model completion from a templated prompt, into a variable or said to the user.",
  content: llmContent,
  connections: ["default"],
});

export const validateLlm: NodeValidator<LlmContent> = (content) =>
  content.variable === undefined && content.reply === false ? ["it needs a `variable` or `reply: true`, or its answer goes nowhere"] : [];

export const runLlmNode: NodeHandler<LlmContent> = async (ctx) => {
  const content = ctx.node.content;
  const say = content.reply ?? content.variable === undefined;
  // Only an answer the user will read is streamed to them (when they watch the turn live).
  const answer = await ctx.call<AiReply>("ai.respond", {
    botId: ctx.botId, sessionId: ctx.sessionId, message: ctx.render(content.prompt), mode: "llm",
    collected: collectedFrom((p) => ctx.vars.get(p)), session: ctx.vars.snapshot(), instructions: content.instructions,
    idempotencyKey: ctx.idempotencyKey,
  }, { stream: say });
  if (content.variable) ctx.vars.set(content.variable, answer.text);
  return { messages: say && answer.text ? [{ type: "text", text: answer.text }] : [] };
};
