/** mcp:contact-owner, a first-party MCP tool server: tells the tenant's people, through their event webhooks, that a human is wanted. */
import { definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { answerMcpMessage, mcpActionParams } from "../mcp-server-kit/answer-mcp-message.ts";
import { createContactOwnerServer } from "./contact-owner.server.ts";

export const definition = definePlugin({
  id: "@platform/mcp-contact-owner",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["tool"],
  description: "Contact owner (MCP): request_human emits conversation.handoff.requested to the tenant's event webhooks.",
  actions: { mcp: { description: "One MCP JSON-RPC message in, the server's answers out.", params: mcpActionParams } },
});

export default implementPlugin(definition, {
  actions: {
    mcp: ({ message }, ctx) => answerMcpMessage(createContactOwnerServer(ctx), message),
  },
});
