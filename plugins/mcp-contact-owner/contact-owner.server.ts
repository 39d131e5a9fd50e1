/**
 * The contact-owner MCP server: `request_human` tells the business's people that someone wants a
 * human. It emits `conversation.handoff.requested` for the tenant, which their event webhooks
 * (`POST /v1/admin/webhooks`) receive signed, with the reason, a summary and how urgent it is. The
 * conversation itself goes on: the bot keeps answering until a person takes over.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z, type ActionContext } from "../../core/sdk/index.ts";
import { sessionOf, toolFailure } from "../mcp-server-kit/answer-mcp-message.ts";

export const HANDOFF_EVENT = "conversation.handoff.requested";

export function createContactOwnerServer(ctx: Pick<ActionContext, "emit">): McpServer {
  const server = new McpServer({ name: "contact-owner", version: "1.0.0" });
  server.registerTool("request_human", {
    description: "Asks the business's staff to contact this person or take over the conversation. Use it when the person asks for a human or needs something you cannot do.",
    inputSchema: {
      reason: z.string().trim().min(1).max(500).describe("Why a human is wanted, in a sentence"),
      summary: z.string().trim().max(2000).optional().describe("What the person needs, for the staff member who picks it up"),
      urgency: z.enum(["low", "normal", "high"]).default("normal"),
      contact: z.string().trim().max(320).optional().describe("How to reach the person (email or phone), when they gave it"),
    },
  }, async (request, extra) => {
    if (!ctx.emit) return toolFailure("A human can only be requested for a business's conversation.");
    const session = sessionOf(extra._meta);
    ctx.emit(HANDOFF_EVENT, {
      botId: session.botId ?? null,
      sessionId: session.sessionId ?? null,
      reason: request.reason,
      summary: request.summary ?? null,
      urgency: request.urgency,
      contact: request.contact ?? null,
      source: "mcp:contact-owner",
      requestedAt: new Date().toISOString(),
    });
    return {
      content: [{ type: "text", text: "The team has been told; someone will get in touch." }],
      structuredContent: { notified: true, urgency: request.urgency },
    };
  });
  return server;
}
