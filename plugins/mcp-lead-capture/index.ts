/** mcp:lead-capture, a first-party MCP tool server: records leads in the tenant's CRM. No configuration. */
import { definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { answerMcpMessage, mcpActionParams } from "../mcp-server-kit/answer-mcp-message.ts";
import { createLeadCaptureServer } from "./lead-capture.server.ts";

export const definition = definePlugin({
  id: "@platform/mcp-lead-capture",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["tool"],
  description: "Lead capture (MCP): capture_lead records a name with an email or phone in the tenant's CRM.",
  capabilities: ["crm"],
  actions: { mcp: { description: "One MCP JSON-RPC message in, the server's answers out.", params: mcpActionParams } },
});

export default implementPlugin(definition, {
  actions: {
    mcp: ({ message }, ctx) => answerMcpMessage(createLeadCaptureServer(ctx), message),
  },
});
