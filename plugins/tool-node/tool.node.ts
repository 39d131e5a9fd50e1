/**
 * tool: calls one MCP tool and stores its answer, on the same path as the agent's tools (the
 * bot's MCP servers, stdio servers the operator allowed, the platform's tool plugins), recorded
 * in the tenant's tool-call log.
 *
 * - `tool` is `mcp:<server>/<tool>`, or `marketplace:@scope/name/<tool>` for a tool the tenant
 *   installed from the marketplace (run in the sandbox); `arguments` are templates: a string that is exactly one
 *   `{{scope.path}}` passes the variable's value as it is (a number stays a number), any other
 *   string is rendered; objects and arrays are walked;
 * - the answer goes to `output` (its structured content when the tool gave one, else its text);
 * - a tool that fails, or a server that cannot be reached, stores the reason in `error_variable`
 *   and follows `error`; the end user never sees it;
 * - the call carries the turn's idempotency key: a retried turn reuses the first answer.
 */
import { defineNodeType, FLOW_SCOPES, isPlatformError, loneVariable, z, type NodeContext, type NodeHandler, type NodeResult, type NodeValidator } from "../../core/sdk/index.ts";

const variable = z.string().regex(/^(user|session|temp)\.[A-Za-z0-9_]+(\.[A-Za-z0-9_-]+)*$/, "a variable path like user.quote");

export const toolContent = z.object({
  tool: z.string().regex(
    /^(mcp:[a-z][a-z0-9_-]{0,30}\/[A-Za-z0-9_.-]{1,128}|marketplace:@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*\/[a-z][a-z0-9_]{1,62})$/,
    "a tool name like mcp:<server>/<tool> or marketplace:@scope/name/<tool>",
  ).describe("The tool to call: `mcp:<server>/<tool>`, or `marketplace:@scope/name/<tool>` for a tool installed from the marketplace"),
  arguments: z.record(z.string(), z.unknown()).default({})
    .describe("The tool's arguments, name → value: strings are `{{scope.path}}` templates, a lone `{{scope.path}}` keeps the variable's type, objects and arrays are walked"),
  output: variable.optional().describe("A variable that receives the tool's answer (its structured content, else its text), e.g. `session.quote`"),
  error_variable: variable.default("session.tool_error")
    .describe("Where the reason is stored when the tool fails, before `error` is followed, cleared on success; default `session.tool_error`"),
});
export type ToolContent = z.infer<typeof toolContent>;

export const toolNode = defineNodeType({
  type: "tool",
  description: "Calls one MCP tool (mcp:<server>/<tool>, or an installed marketplace:@scope/name/<tool>) with templated arguments and stores its answer in a variable.",
  content: toolContent,
  connections: ["default", "error"],
  sideEffects: true,
});

export const validateTool: NodeValidator<ToolContent> = (_content, node) =>
  node.connections.error === undefined ? ["it needs an `error` connection for when the tool fails"] : [];

type ToolAnswer = { ok: boolean; text: string; structured?: Record<string, unknown> };

const flowScopes: readonly string[] = FLOW_SCOPES;

/** Renders the arguments' templates; a lone `{{path}}` of a flow scope keeps the variable's own type. */
export function renderArguments(ctx: Pick<NodeContext, "render" | "vars">, value: unknown): unknown {
  if (typeof value === "string") {
    const whole = loneVariable(value);
    return whole && flowScopes.includes(whole.scope) ? ctx.vars.get(whole.ref) ?? null : ctx.render(value);
  }
  if (Array.isArray(value)) return value.map((v) => renderArguments(ctx, v));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderArguments(ctx, v)]));
  return value;
}

export const runTool: NodeHandler<ToolContent> = async (ctx): Promise<NodeResult> => {
  const content = ctx.node.content;
  const failed = (reason: string): NodeResult => {
    ctx.vars.set(content.error_variable, reason.slice(0, 1000));
    ctx.log.warn("tool call failed", { tool: content.tool, reason: reason.slice(0, 200) });
    // For analytics (core/modules/analytics): which tool and how it ended, never its arguments.
    ctx.emit("conversation.tool.called", { tool: content.tool, outcome: "error" });
    return { next: "error" };
  };
  let answer: ToolAnswer;
  try {
    answer = await ctx.call<ToolAnswer>("ai.callTool", {
      botId: ctx.botId, sessionId: ctx.sessionId, tool: content.tool,
      arguments: renderArguments(ctx, content.arguments), idempotencyKey: ctx.idempotencyKey,
    });
  } catch (error) {
    if (!isPlatformError(error)) throw error;
    return failed(`${error.code}: ${error.message}`);
  }
  if (!answer.ok) return failed(answer.text || "The tool failed");
  if (content.output) ctx.vars.set(content.output, answer.structured ?? answer.text);
  ctx.vars.unset(content.error_variable);
  ctx.emit("conversation.tool.called", { tool: content.tool, outcome: "ok" });
  return { next: "default" };
};
