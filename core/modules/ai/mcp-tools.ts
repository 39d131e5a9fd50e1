/**
 * The MCP side of the `ai` service on one node: the operator's allowed stdio servers (checked when
 * bot configs are saved, pooled when used, stopped with the node), the pool of sessions with HTTP
 * servers and tool plugins (mcp-session-pool.ts, closed with the node) and single tool calls for
 * flows (`ai.callTool`, used by the `tool` node type).
 */
import type { ServiceBroker } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { createMcpConnector } from "./mcp-servers.ts";
import { allowStdioCommands } from "../../engine/bots/mcp-stdio-allowlist.ts";
import { createStdioPool } from "./mcp-stdio-pool.ts";
import { createToolCaller } from "./mcp-tool-call.ts";
import { createMcpSessionPool } from "./mcp-session-pool.ts";
import type { ToolCallLog } from "./tool-call-log.ts";

export function createMcpTools(platform: PlatformContext, broker: ServiceBroker, log: ToolCallLog, resolveSecrets: (tenantId: string, template: string, host: string) => Promise<string>) {
  const commands = platform.config.MCP_STDIO_COMMANDS;
  allowStdioCommands(Object.keys(commands));
  const timeoutMs = platform.config.AI_TIMEOUT_MS;
  const stdio = createStdioPool(commands, { timeoutMs, logger: platform.logger.child({ component: "mcp-stdio" }) });
  // One pool for the node: the agent's tools and the flows' tool calls share its sessions.
  const pool = createMcpSessionPool({ idleMs: platform.config.MCP_CLIENT_IDLE_SECONDS * 1000 });
  const mcp = createMcpConnector({ broker, resolveSecrets, allowPrivateNetworks: platform.config.ALLOW_PRIVATE_NETWORKS, timeoutMs, stdio, pool });
  return {
    stdio,
    pool,
    callTool: createToolCaller({ broker, mcp, log, cache: platform.cache.cache, timeoutMs }),
    close: async () => { await Promise.all([stdio.close(), pool.close()]); },
  };
}
export type McpTools = ReturnType<typeof createMcpTools>;
