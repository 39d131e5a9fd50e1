/**
 * The MCP side of the `ai` service on one node: the operator's allowed stdio servers (checked when
 * bot configs are saved, pooled when used, stopped with the node) and single tool calls for flows
 * (`ai.callTool`, used by the `tool` node type).
 */
import type { ServiceBroker } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { createMcpConnector } from "./mcp-servers.ts";
import { allowStdioCommands } from "../../engine/bots/mcp-stdio-allowlist.ts";
import { createStdioPool } from "./mcp-stdio-pool.ts";
import { createToolCaller } from "./mcp-tool-call.ts";
import type { ToolCallLog } from "./tool-call-log.ts";

export function createMcpTools(platform: PlatformContext, broker: ServiceBroker, log: ToolCallLog, resolveSecrets: (tenantId: string, template: string) => Promise<string>) {
  const commands = platform.config.MCP_STDIO_COMMANDS;
  allowStdioCommands(Object.keys(commands));
  const timeoutMs = platform.config.AI_TIMEOUT_MS;
  const stdio = createStdioPool(commands, { timeoutMs, logger: platform.logger.child({ component: "mcp-stdio" }) });
  const mcp = createMcpConnector({ broker, resolveSecrets, allowPrivateNetworks: platform.config.ALLOW_PRIVATE_NETWORKS, timeoutMs, stdio });
  return {
    stdio,
    callTool: createToolCaller({ broker, mcp, log, cache: platform.cache.cache, timeoutMs }),
    close: () => stdio.close(),
  };
}
export type McpTools = ReturnType<typeof createMcpTools>;
