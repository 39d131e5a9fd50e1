/**
 * A bot's AI configuration, beside its flow (`config.ai`): which provider and model, its prompt
 * and persona, the tools it may use, the tenant's MCP servers, deterministic rules that answer
 * before any model, the format replies must keep, and how much history the model sees.
 */
import { z } from "zod";
import { allowedStdioCommands, isAllowedStdioCommand } from "./mcp-stdio-allowlist.ts";
import { isSafeLogic } from "./safe-logic.ts";

export const aiProviderName = z.enum(["openai", "anthropic", "gemini", "offline"]);
export type AiProviderName = z.infer<typeof aiProviderName>;

const headerValue = z.string().max(4096);

/**
 * One MCP server a bot's tools may come from, by exactly one of:
 * - `url` (+ `headers`): the tenant's own server over Streamable HTTP; header values may hold
 *   `{{secret:name}}`, filled from the tenant's secrets when the call leaves;
 * - `command`: a stdio server the operator allowed by this name (MCP_STDIO_COMMANDS);
 * - `plugin` (+ `config`): a tool plugin loaded on the platform (`@platform/mcp-pricing`), given
 *   this bot's `config`. A bot may also name the first-party ones (`mcp:pricing`) without an entry.
 */
export const mcpServerConfigSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,30}$/, "a short lowercase name like crm or calendar"),
  url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), headerValue).optional(),
  command: z.string().max(100).refine(isAllowedStdioCommand, {
    error: (issue) => {
      const names = allowedStdioCommands();
      return `${JSON.stringify(issue.input)} is not a stdio MCP server this platform allows (${names.length ? `allowed: ${names.join(", ")}` : "it allows none"})`;
    },
  }).optional(),
  plugin: z.string().regex(/^@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*$/, "a plugin id like @platform/mcp-pricing").optional(),
  config: z.record(z.string(), z.unknown()).optional(),
}).superRefine((server, ctx) => {
  const kinds = [server.url, server.command, server.plugin].filter((v) => v !== undefined).length;
  if (kinds !== 1) ctx.addIssue({ code: "custom", message: "an MCP server needs exactly one of url, command or plugin" });
  if (server.headers && server.url === undefined) ctx.addIssue({ code: "custom", path: ["headers"], message: "headers go with a url" });
  if (server.config && server.plugin === undefined) ctx.addIssue({ code: "custom", path: ["config"], message: "config goes with a plugin" });
});
export type McpServerConfig = z.infer<typeof mcpServerConfigSchema>;

/** JSON-Logic over `{ message, session }`, or a case-insensitive pattern over the message. */
export const aiRuleSchema = z.strictObject({
  if: z.record(z.string(), z.unknown()).refine(isSafeLogic, "uses an operation rules may not use (allowed: comparisons, logic, var, in, cat, arithmetic...)").optional(),
  pattern: z.string().min(1).max(500).refine((p) => { try { new RegExp(p, "i"); return true; } catch { return false; } }, "must be a valid regular expression").optional(),
  then: z.strictObject({
    reply: z.string().min(1).max(2000).optional(),
    /** The id of one of the bot's calls to action, offered at once. */
    cta: z.string().max(50).optional(),
  }).refine((t) => t.reply !== undefined || t.cta !== undefined, "a rule needs a reply or a cta"),
}).refine((r) => (r.if === undefined) !== (r.pattern === undefined), "a rule needs exactly one of `if` or `pattern`");
export type AiRule = z.infer<typeof aiRuleSchema>;

export const replyFormatSchema = z.strictObject({
  /** False: no bullet or numbered lists (they are joined into prose). Default true. */
  bulletLists: z.boolean().optional(),
  maxParagraphs: z.number().int().min(1).max(20).optional(),
  /** True: a few inline tags (b, i, em, strong, a, br, p) are kept; false (default): all tags are removed. */
  allowHtml: z.boolean().optional(),
});
export type ReplyFormat = z.infer<typeof replyFormatSchema>;

/**
 * Tool names: `knowledge`, `mcp:<server>` (all its tools) or `mcp:<server>/<tool>`, actions of
 * plugin or CRM services (`action:crm.upsertContact`): never core actions, which act beyond one bot;
 * and the tools of the tenant's marketplace installs, `marketplace:@scope/name` (all of them) or
 * `marketplace:@scope/name/<tool>`.
 */
export const toolNameSchema = z.string().regex(
  /^(knowledge|mcp:[a-z][a-z0-9_-]*(\/[A-Za-z0-9_.-]+)?|action:(plugin|crm)\.[\w.-]+|marketplace:@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*(\/[a-z][a-z0-9_]*)?)$/,
  "knowledge, mcp:<server>[/<tool>], action:plugin.<...>.<action> / action:crm.<action> or marketplace:@scope/name[/<tool>]",
);

/** What the agent may do with a tool the model picks: call it, ask the user first, or never offer it. */
export const toolPolicySchema = z.enum(["allow", "confirm", "off"]);
export type ToolPolicy = z.infer<typeof toolPolicySchema>;

export const botAiConfigSchema = z.strictObject({
  provider: aiProviderName.optional(),
  model: z.string().min(1).max(200).optional(),
  systemPrompt: z.string().max(20_000).optional(),
  persona: z.string().max(2000).optional(),
  tools: z.array(toolNameSchema).max(50).optional(),
  /** Tools (or whole servers, `mcp:crm`) the agent asks the user to confirm before calling: `toolPolicy` with `confirm`. */
  confirmTools: z.array(toolNameSchema).max(50).optional(),
  /**
   * Per tool, or per server or plugin (`mcp:lead-capture`, `marketplace:@acme/orders`): `allow`,
   * `confirm` or `off`. Without an entry, tools that declare themselves read-only are allowed and
   * the others ask the user first.
   */
  toolPolicy: z.record(toolNameSchema, toolPolicySchema).optional(),
  mcpServers: z.array(mcpServerConfigSchema).max(10).optional(),
  rules: z.array(aiRuleSchema).max(100).optional(),
  format: replyFormatSchema.optional(),
  historyTurns: z.number().int().min(2).max(200).optional(),
  /** What an assistant bot says first. */
  greeting: z.string().max(1000).optional(),
});
export type BotAiConfig = z.infer<typeof botAiConfigSchema>;
