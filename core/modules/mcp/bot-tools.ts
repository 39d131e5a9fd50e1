/**
 * The tenant's bots as MCP tools: list them, ask one a question (through the same conversation
 * machinery as the web chat: `conversations.chat`, a fresh session or one the caller names and
 * comes back to), and search one's knowledge for passages with their citations. The tenant is
 * always the key's, never an argument, so another tenant's bot id answers exactly like a missing one.
 */
import { randomUUID } from "node:crypto";
import type { ServiceBroker } from "moleculer";
import { z } from "zod";
import { defineZodTool, type PlatformTool } from "./platform-tool.ts";

type BotView = { id: string; name: string; publishedVersion: number | null };
type ChatAnswer = { response: string; ctas: { id?: string; label?: string }[]; session_id: string; status: string };
type Passage = { text: string; heading?: string; citation: string; score: number; source: { id: string; name: string; url?: string; page?: number; position: number } };

const botId = z.uuid().describe("The bot's id, from list_bots");

/** Conversations started here are told apart from the web chat's in the session's user id. */
const SESSION_PREFIX = "mcp:";

export function createBotTools(broker: ServiceBroker, tenantId: string, timeoutMs: number): PlatformTool[] {
  return [
    defineZodTool({
      name: "list_bots",
      title: "List bots",
      description: "The business's bots: their ids and names, and whether each has a published version that can be asked.",
      annotations: { readOnlyHint: true, openWorldHint: false },
      schema: z.object({}),
      async run() {
        const bots = await broker.call<BotView[], object>("bots.list", { tenantId });
        const listed = bots.map((b) => ({ id: b.id, name: b.name, published: b.publishedVersion !== null && b.publishedVersion !== undefined }));
        const text = listed.length === 0 ? "This business has no bots yet." : listed.map((b) => `${b.name} (${b.id})${b.published ? "" : ", not published"}`).join("\n");
        return { content: [{ type: "text", text }], structuredContent: { bots: listed } };
      },
    }),
    defineZodTool({
      name: "ask_bot",
      title: "Ask a bot",
      description: "Sends a message to one of the business's bots and returns its reply, as a visitor of the web chat would get it. "
        + "Pass the `session` the previous answer returned to continue that conversation; without one, a new conversation starts.",
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
      schema: z.object({
        bot: botId,
        message: z.string().trim().min(1).max(100_000).describe("What to say to the bot"),
        session: z.string().regex(/^[\w.:-]{1,100}$/, "letters, digits and . _ : - (up to 100)").optional().describe("A conversation to continue (the `session` of an earlier answer), or a name of your choosing"),
      }),
      async run({ bot, message, session }) {
        const name = session ?? randomUUID();
        const answer = await broker.call<ChatAnswer, object>("conversations.chat", { tenantId, botId: bot, externalSessionId: `${SESSION_PREFIX}${name}`, message }, { timeout: timeoutMs });
        const choices = answer.ctas.map((c) => c.label ?? c.id).filter((c): c is string => typeof c === "string");
        const text = [answer.response || "(the bot said nothing)", choices.length ? `Choices: ${choices.join(" | ")}` : "", `session: ${name}`].filter(Boolean).join("\n\n");
        return { content: [{ type: "text", text }], structuredContent: { reply: answer.response, choices, session: name, status: answer.status } };
      },
    }),
    defineZodTool({
      name: "search_knowledge",
      title: "Search a bot's knowledge",
      description: "Searches the documents and pages a bot answers from, and returns the best passages with a citation for each (document, page or URL).",
      annotations: { readOnlyHint: true, openWorldHint: false },
      schema: z.object({
        bot: botId,
        query: z.string().trim().min(1).max(1000).describe("What to look for"),
        limit: z.number().int().min(1).max(20).default(5).describe("How many passages, at most"),
      }),
      async run({ bot, query, limit }) {
        // The bot is checked first, so another tenant's bot id is "not found", not an empty result.
        await broker.call("knowledge.list", { tenantId, botId: bot });
        const passages = await broker.call<Passage[], object>("knowledge.search", { tenantId, botId: bot, query, limit });
        const text = passages.length === 0
          ? "Nothing in this bot's knowledge matches."
          : passages.map((p, i) => `[${i + 1}] ${p.text}\n(source: ${p.citation})`).join("\n\n");
        return {
          content: [{ type: "text", text }],
          structuredContent: { passages: passages.map((p) => ({ text: p.text, citation: p.citation, source: p.source, score: p.score, ...(p.heading ? { heading: p.heading } : {}) })) },
        };
      },
    }),
  ];
}
