/**
 * MCP with the platform's tool plugins (`@platform/mcp-pricing`...) over the broker: each JSON-RPC
 * message the client sends becomes one call of the plugin's `mcp` action, which answers with the
 * messages its McpServer sent back. The plugin may run on any node. The tenant travels in the
 * call's meta, set here from the session and never from a tool's arguments, so the plugin acts
 * for that tenant only (its `ctx.tenantId`, and `ctx.call` forces it); the bot's `config` for the
 * server travels beside it as the plugin's configuration for this call.
 */
import type { ServiceBroker } from "moleculer";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { pluginServiceName } from "./plugin-host.ts";

/** The action every MCP tool plugin declares: one JSON-RPC message in, the server's answers out. */
export const MCP_PLUGIN_ACTION = "mcp";

/**
 * The `_meta` key under which platform tool plugins get the conversation a call is made for
 * (`{ botId, sessionId, idempotencyKey }`); plugins/mcp-server-kit reads the same key. Only the
 * platform's own plugins get it: a tenant's server never learns session ids.
 */
export const SESSION_META = "bot-platform/session";

/** The first-party tool plugin a bare `mcp:<name>` means when the bot configures no server by that name. */
export const firstPartyToolPlugin = (name: string) => `@platform/mcp-${name}`;

export function pluginTransport(broker: ServiceBroker, pluginId: string, scope: { tenantId: string; config?: Record<string, unknown> }, timeoutMs: number): Transport {
  const action = `${pluginServiceName(pluginId)}.${MCP_PLUGIN_ACTION}`;
  const transport: Transport = {
    async start() {},
    async send(message) {
      const answer = await broker.call<{ messages: JSONRPCMessage[] }, { message: JSONRPCMessage }>(action, { message }, {
        timeout: timeoutMs,
        meta: { tenantId: scope.tenantId, pluginConfig: scope.config ?? {} },
      });
      // Delivered after this send resolves, as a network transport would.
      queueMicrotask(() => { for (const reply of answer?.messages ?? []) transport.onmessage?.(reply); });
    },
    async close() {
      transport.onclose?.();
    },
  };
  return transport;
}
