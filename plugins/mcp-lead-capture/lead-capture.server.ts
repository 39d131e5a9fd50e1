/**
 * The lead-capture MCP server: `capture_lead` records a person who wants to hear back (name, and
 * an email or a phone number) as a contact in the tenant's CRM, whichever CRM it configured,
 * through the platform's `crm.upsertContact`: the CRM finds the person by email or phone and
 * merges instead of creating them twice, and a repeated call with the same idempotency key writes
 * nothing new.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { isPlatformError, z, type ActionContext } from "../../core/sdk/index.ts";
import { sessionOf, toolFailure } from "../mcp-server-kit/answer-mcp-message.ts";

const phonePattern = /^\+?[0-9][0-9 ().-]{5,24}$/;

export const leadInput = {
  name: z.string().trim().min(1).max(200).describe("The person's full name"),
  email: z.email().max(320).optional().describe("Their email address"),
  phone: z.string().trim().regex(phonePattern, "a phone number like +44 20 7946 0958").optional().describe("Their phone number, with the country code"),
  company: z.string().trim().max(200).optional(),
  interest: z.string().trim().max(2000).optional().describe("What they are interested in, in a sentence"),
};

type Written = { contact?: { id: string }; created?: boolean };

export function createLeadCaptureServer(ctx: Pick<ActionContext, "call">): McpServer {
  const server = new McpServer({ name: "lead-capture", version: "1.0.0" });
  server.registerTool("capture_lead", {
    description: "Records a lead in the business's CRM: their name and an email or a phone number (at least one), and what they want.",
    inputSchema: leadInput,
    annotations: { destructiveHint: false, idempotentHint: true },
  }, async (lead, extra) => {
    if (!lead.email && !lead.phone) return toolFailure("A lead needs an email address or a phone number; ask for one.");
    if (!ctx.call) return toolFailure("Leads can only be recorded for a business's conversation.");
    const fields: Record<string, string> = { name: lead.name, lead_source: "mcp:lead-capture" };
    if (lead.email) fields.email = lead.email;
    if (lead.phone) fields.phone = lead.phone;
    if (lead.company) fields.company = lead.company;
    if (lead.interest) fields.interest = lead.interest;
    const session = sessionOf(extra._meta);
    try {
      const written = await ctx.call<Written>("crm.upsertContact", { fields, ...(session.idempotencyKey ? { idempotencyKey: `lead:${session.idempotencyKey}` } : {}) });
      const id = written.contact?.id;
      return {
        content: [{ type: "text", text: `${written.created === false ? "Updated the existing lead" : "Recorded the lead"} ${lead.name}${id ? ` (contact ${id})` : ""}.` }],
        structuredContent: { contactId: id ?? null, created: written.created !== false },
      };
    } catch (error) {
      // The CRM's refusal (an email it cannot read, a rate limit) is the model's to relay, not a crash.
      if (isPlatformError(error)) return toolFailure(`The CRM did not take the lead: ${error.message} (${error.code})`);
      throw error;
    }
  });
  return server;
}
