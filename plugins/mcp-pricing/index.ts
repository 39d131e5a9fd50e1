/**
 * mcp:pricing, a first-party MCP tool server: quotes from items and quantities with the price
 * list in the bot's configuration of the server:
 * `ai.mcpServers: [{ "name": "pricing", "plugin": "@platform/mcp-pricing", "config": { "currency": "EUR", "prices": { "Haircut": 30 } } }]`.
 */
import { ValidationError, definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { answerMcpMessage, mcpActionParams } from "../mcp-server-kit/answer-mcp-message.ts";
import { createPricingServer, pricingConfig } from "./pricing.server.ts";

export const definition = definePlugin({
  id: "@platform/mcp-pricing",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["tool"],
  description: "Pricing calculator (MCP): list_prices and quote, from the price list in the bot's configuration.",
  config: pricingConfig,
  actions: { mcp: { description: "One MCP JSON-RPC message in, the server's answers out.", params: mcpActionParams } },
});

export default implementPlugin(definition, {
  actions: {
    async mcp({ message }, ctx) {
      const config = pricingConfig.safeParse(ctx.config ?? {});
      if (!config.success) {
        throw new ValidationError("MCP_PRICING_CONFIG_INVALID", `The pricing configuration is not valid: ${config.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ")}`);
      }
      return answerMcpMessage(createPricingServer(config.data), message);
    },
  },
});
