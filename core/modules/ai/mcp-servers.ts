/**
 * Opens a session with the MCP server a bot names, whatever it runs on: the tenant's own server
 * over Streamable HTTP (its header secrets filled at the edge), a stdio server the operator allowed
 * (from the pool, one process per tenant), or a platform tool plugin over the broker. A name the
 * bot does not configure means the first-party plugin of that name (`mcp:pricing` →
 * `@platform/mcp-pricing`), with no configuration.
 */
import type { ServiceBroker } from "moleculer";
import { NotFoundError } from "../../sdk/platform-error.ts";
import type { McpServerConfig } from "../../engine/bots/bot-ai-config.ts";
import { connectMcp, httpTransport, type McpConnection } from "./mcp-client.ts";
import { SESSION_META, firstPartyToolPlugin, pluginTransport } from "../../kernel/plugin-host/mcp-plugin-transport.ts";
import type { StdioPool } from "./mcp-stdio-pool.ts";
import { poolKey, type McpSessionPool } from "./mcp-session-pool.ts";
import { AiErrorCode } from "./ai-errors.ts";

export type McpScope = { tenantId: string; botId: string; sessionId?: string };

export type McpConnectorDeps = {
  broker: ServiceBroker;
  resolveSecrets: (tenantId: string, template: string, host: string) => Promise<string>;
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  /** Stdio servers the operator allowed; without it, `command` servers are unavailable. */
  stdio?: StdioPool;
  /** Sessions kept between calls (HTTP servers and tool plugins); without it, each `open` connects afresh. */
  pool?: McpSessionPool;
};

export function createMcpConnector(deps: McpConnectorDeps) {
  return {
    /** The server a bot means by `name`. */
    resolve(servers: readonly McpServerConfig[], name: string): McpServerConfig {
      return servers.find((s) => s.name === name) ?? { name, plugin: firstPartyToolPlugin(name) };
    },

    /** A session with `server` showing only `only` when given; `call`'s `meta` reaches platform plugins only. */
    async open(scope: McpScope, server: McpServerConfig, only: readonly string[] | undefined): Promise<McpConnection> {
      if (server.command !== undefined) {
        if (!deps.stdio) throw new NotFoundError(AiErrorCode.mcpStdioNotAllowed, `Stdio MCP server ${server.command}`);
        return deps.stdio.lease(scope.tenantId, server.command, only);
      }
      if (server.plugin !== undefined) {
        const plugin = server.plugin;
        const connect = (tools: readonly string[] | undefined) => connectMcp(server.name, pluginTransport(deps.broker, plugin, { tenantId: scope.tenantId, config: server.config }, deps.timeoutMs), tools, deps.timeoutMs);
        const connection = deps.pool
          ? await deps.pool.lease(poolKey(scope.tenantId, `plugin:${plugin}:${server.name}`, server.config), () => connect(undefined), only)
          : await connect(only);
        return {
          ...connection,
          call: (tool, args, timeoutMs, meta) => connection.call(tool, args, timeoutMs, { [SESSION_META]: { botId: scope.botId, ...(scope.sessionId ? { sessionId: scope.sessionId } : {}), ...meta } }),
        };
      }
      if (server.url === undefined) throw new NotFoundError(AiErrorCode.mcpServerNotConfigured, `MCP server ${server.name}`);
      const url = server.url;
      // Secrets in headers are filled only for a host the tenant allowed for each.
      const host = new URL(url).hostname;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(server.headers ?? {})) headers[k] = await deps.resolveSecrets(scope.tenantId, v, host);
      const connect = (tools: readonly string[] | undefined) => connectMcp(server.name, httpTransport(url, headers, deps.allowPrivateNetworks), tools, deps.timeoutMs);
      const connection = deps.pool
        ? await deps.pool.lease(poolKey(scope.tenantId, `url:${url}:${server.name}`, headers), () => connect(undefined), only)
        : await connect(only);
      // The tenant's server gets the arguments, never the platform's session details.
      return { ...connection, call: (tool, args, timeoutMs) => connection.call(tool, args, timeoutMs) };
    },
  };
}
export type McpConnector = ReturnType<typeof createMcpConnector>;
