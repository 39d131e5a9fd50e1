/**
 * How a bot hands conversations to people (`config.handoff`): what a user types to ask for one,
 * what they are told, and what happens when nobody claims the conversation in time.
 */
import { z } from "zod";

export const botHandoffConfigSchema = z.strictObject({
  keywords: z.array(z.string().trim().min(1).max(60)).max(30).optional()
    .describe("Whole messages that ask for a person (case and punctuation aside); default agent, human, operator, representative…; [] turns it off"),
  message: z.string().min(1).max(1000).optional().describe("What the user is told when they asked for a person"),
  timeoutMinutes: z.number().int().min(1).max(10_080).optional().describe("Minutes a conversation may wait unclaimed before the timeout rule applies (default 15)"),
  onTimeout: z.enum(["bot", "message"]).optional().describe("bot: the bot takes the conversation back; message: the user gets timeoutMessage and the conversation ends (default bot)"),
  timeoutMessage: z.string().min(1).max(1000).optional().describe("What the user reads when nobody answered in time"),
  resumeAt: z.string().min(1).max(100).optional().describe("The node the bot takes a timed-out conversation back at (default: where it waited)"),
});
export type BotHandoffConfig = z.infer<typeof botHandoffConfigSchema>;

export const HANDOFF_TIMEOUT_MINUTES = 15;
export const DEFAULT_TIMEOUT_MESSAGE = "Sorry, nobody is free to answer right now. We have kept your message and will get back to you.";
