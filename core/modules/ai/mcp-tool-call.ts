/**
 * One MCP tool call made by a flow (the `tool` node), on the same path as the agent's tools: the
 * bot's MCP servers (or the platform's tool plugins), recorded in the tool-call log like an agent
 * call. A turn that is retried with the same idempotency key gets the first call's answer instead
 * of calling again. Failures are answers (`ok: false` with a reason to read), never exceptions.
 */
import type { ServiceBroker } from "moleculer";
import type { Cache } from "../../kernel/cache/cache.ts";
import type { BotConfig } from "../../engine/bots/bot-config.ts";
import { ValidationError, isPlatformError } from "../../sdk/platform-error.ts";
import type { McpCallResult } from "./mcp-client.ts";
import type { McpConnector } from "./mcp-servers.ts";
import { ToolOutcome, type ToolCallLog } from "./tool-call-log.ts";
import { AiErrorCode } from "./ai-errors.ts";

export type ToolCallParams = {
  tenantId: string;
  botId: string;
  sessionId?: string;
  /** `mcp:<server>/<tool>`, or `marketplace:@scope/name/<tool>` (a tool the tenant installed from the marketplace). */
  tool: string;
  arguments?: Record<string, unknown>;
  idempotencyKey?: string;
};

export type ToolCallAnswer = McpCallResult & { replayed?: boolean };

const toolName = /^mcp:([a-z][a-z0-9_-]{0,30})\/([A-Za-z0-9_.-]{1,128})$/;
const REPLAY_SECONDS = 24 * 3600;

type Deps = { broker: ServiceBroker; mcp: McpConnector; log: ToolCallLog; cache: Cache; timeoutMs: number };

const marketplaceToolName = /^marketplace:(@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*)\/([a-z][a-z0-9_]{1,62})$/;

export function parseToolName(tool: string): { server: string; tool: string; plugin?: string } | undefined {
  const installed = marketplaceToolName.exec(tool);
  if (installed) return { server: "marketplace", plugin: installed[1]!, tool: installed[2]! };
  const match = toolName.exec(tool);
  return match ? { server: match[1]!, tool: match[2]! } : undefined;
}

/** A marketplace tool runs in the sandbox for the tenant (marketplaceInstalls.callTool); its MCP-style result becomes an answer. */
async function callInstalledTool(broker: ServiceBroker, tenantId: string, plugin: string, tool: string, args: Record<string, unknown>, timeoutMs: number): Promise<McpCallResult> {
  const result = await broker.call<{ content: { text: string }[]; isError: boolean; structuredContent?: unknown }, object>("marketplaceInstalls.callTool", { tenantId, plugin, tool, args }, { timeout: timeoutMs });
  const structured = result.structuredContent;
  return {
    ok: !result.isError, text: result.content.map((c) => c.text).join("\n"),
    ...(structured !== null && typeof structured === "object" && !Array.isArray(structured) ? { structured: structured as Record<string, unknown> } : {}),
  };
}

export function createToolCaller(deps: Deps) {
  const reason = (error: unknown) => (isPlatformError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message.slice(0, 300) : "unknown error");

  return async function callTool(params: ToolCallParams): Promise<ToolCallAnswer> {
    const named = parseToolName(params.tool);
    if (!named) throw new ValidationError(AiErrorCode.toolNameInvalid, `${JSON.stringify(params.tool)} is not a tool name like mcp:<server>/<tool> or marketplace:@scope/name/<tool>`, { tool: params.tool });
    const scope = { tenantId: params.tenantId, botId: params.botId, sessionId: params.sessionId };
    const args = params.arguments ?? {};
    const replayKey = params.idempotencyKey && `ai:toolcall:${params.tenantId}:${params.idempotencyKey}`;
    if (replayKey) {
      const seen = await deps.cache.get(replayKey);
      if (seen) return { ...(JSON.parse(seen) as McpCallResult), replayed: true };
    }

    const started = performance.now();
    let result: McpCallResult;
    if (named.plugin) {
      const plugin = named.plugin;
      result = await callInstalledTool(deps.broker, params.tenantId, plugin, named.tool, args, deps.timeoutMs)
        .catch((error: unknown) => ({ ok: false, text: `The installed tool ${plugin}/${named.tool} is not available (${reason(error)})` }));
    } else {
      try {
        const bot = await deps.broker.call<{ config: BotConfig }, object>("bots.flow", { tenantId: params.tenantId, botId: params.botId });
        const server = deps.mcp.resolve(bot.config.ai?.mcpServers ?? [], named.server);
        const connection = await deps.mcp.open(scope, server, [named.tool]);
        try {
          result = connection.tools.some((t) => t.tool === named.tool)
            ? await connection.call(named.tool, args, deps.timeoutMs, params.idempotencyKey ? { idempotencyKey: params.idempotencyKey } : undefined)
            : { ok: false, text: `The MCP server ${named.server} has no tool ${named.tool}` };
        } finally {
          await connection.close().catch(() => {});
        }
      } catch (error) {
        result = { ok: false, text: `The MCP server ${named.server} could not be reached (${reason(error)})` };
      }
    }
    await deps.log.record({ ...scope, tool: params.tool, inputBytes: Buffer.byteLength(JSON.stringify(args)), latencyMs: performance.now() - started, outcome: result.ok ? ToolOutcome.ok : ToolOutcome.error });
    if (replayKey && result.ok) await deps.cache.set(replayKey, JSON.stringify(result), REPLAY_SECONDS);
    return result;
  };
}
export type ToolCaller = ReturnType<typeof createToolCaller>;
