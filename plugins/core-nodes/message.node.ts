/**
 * message: shows text, images and buttons, each with an optional typing delay, then moves on. The
 * messages are written in the node, or come from the content library (`contentId`, or a random
 * item by `contentTag`), in the A/B variant the user keeps.
 */
import { defineNodeType, richMessagesSchema, z, type NodeHandler, type NodeValidator } from "../../core/sdk/index.ts";
import { libraryContentFields, libraryContentProblems, namesLibraryContent, pickLibraryMessages, renderRichMessages } from "./library-content.ts";

export const messageContent = z.object({
  messages: richMessagesSchema.optional().describe("The messages to send, in order (1–20); leave out to show a content library item instead"),
  ...libraryContentFields,
  typing_delay_ms: z.number().int().min(0).max(10_000).optional().describe("Typing delay before each message that has none of its own, in milliseconds (0–10000); none by default"),
}).meta({ examples: [{ messages: [{ type: "text", text: "Hello, {{user.name}}!" }] }] });
export type MessageContent = z.infer<typeof messageContent>;

export const messageNode = defineNodeType({
  type: "message",
  description: "Sends one or more messages (text, image, buttons), or an item of the content library, and continues.",
  content: messageContent,
  connections: ["default"],
});

export const validateMessage: NodeValidator<MessageContent> = (content) => libraryContentProblems(content, content.messages !== undefined, "messages");

export const runMessage: NodeHandler<MessageContent> = async (ctx) => {
  const messages = namesLibraryContent(ctx.node.content) ? await pickLibraryMessages(ctx) : (ctx.node.content.messages ?? []);
  return { messages: renderRichMessages(ctx, messages, ctx.node.content.typing_delay_ms) };
};
