/**
 * A first-party tool server (plugins/mcp-pricing...) seen through the platform's MCP server: an
 * MCP client session with the plugin over the broker (kernel/plugin-host/mcp-plugin-transport.ts),
 * whose tools are listed once and offered as they are (or as `<server>__<tool>` beside others).
 * The tenant is the key's; the plugin's configuration and the bot in `_meta` are those of the bot
 * the MCP session names with `?bot=`, if any (a pricing list lives in a bot's configuration).
 */
import type { ServiceBroker } from "moleculer";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { SESSION_META, pluginTransport } from "../../kernel/plugin-host/mcp-plugin-transport.ts";
import type { PlatformTool } from "./platform-tool.ts";

/** A first-party tool server outside clients may reach: its name in URLs and the plugin serving it. */
export type ToolServerRef = { name: string; plugin: string };

export type ToolServerScope = { tenantId: string; botId?: string; config?: Record<string, unknown> };

export type ToolServerProxy = { tools(prefixed: boolean): Promise<PlatformTool[]>; close(): Promise<void> };

export function createToolServerProxy(broker: ServiceBroker, server: ToolServerRef, scope: ToolServerScope, timeoutMs: number): ToolServerProxy {
  let connected: Promise<Client> | undefined;
  const connect = () => {
    connected ??= (async () => {
      const client = new Client({ name: "bot-platform-mcp-server", version: "1.0.0" });
      await client.connect(pluginTransport(broker, server.plugin, { tenantId: scope.tenantId, config: scope.config }, timeoutMs), { timeout: timeoutMs });
      return client;
    })();
    // A failed start is not kept: the next listing tries again.
    connected.catch(() => { connected = undefined; });
    return connected;
  };
  const meta = { [SESSION_META]: scope.botId ? { botId: scope.botId } : {} };

  return {
    async tools(prefixed) {
      const client = await connect();
      const listed = await client.listTools(undefined, { timeout: timeoutMs });
      return listed.tools.map((tool): PlatformTool => ({
        name: prefixed ? `${server.name}__${tool.name}` : tool.name,
        ...(tool.title ? { title: tool.title } : {}),
        description: tool.description ?? "",
        inputSchema: tool.inputSchema,
        ...(tool.annotations ? { annotations: tool.annotations } : {}),
        async call(args) {
          return await client.callTool({ name: tool.name, arguments: args, _meta: meta }, undefined, { timeout: timeoutMs }) as CallToolResult;
        },
      }));
    },
    async close() {
      const client = await connected?.catch(() => undefined);
      await client?.close();
    },
  };
}
