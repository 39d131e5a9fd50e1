/** message: shows text, images and buttons, each with an optional typing delay, then moves on. */
import { defineNodeType, z, type NodeHandler, type OutboundMessage } from "../../core/sdk/index.ts";

const delay = { delay_ms: z.number().int().min(0).max(10_000).optional() };
const button = z.object({ label: z.string().min(1).max(80), value: z.string().min(1).max(200) });

export const messageContent = z.object({
  messages: z.array(z.discriminatedUnion("type", [
    z.object({ type: z.literal("text"), text: z.string().min(1).max(4096), ...delay }),
    z.object({ type: z.literal("image"), url: z.string().min(1), alt: z.string().optional(), ...delay }),
    z.object({ type: z.literal("buttons"), text: z.string().min(1).max(1024), buttons: z.array(button).min(1).max(10), ...delay }),
  ])).min(1).max(20),
  /** A typing delay before every message that has none of its own. */
  typing_delay_ms: z.number().int().min(0).max(10_000).optional(),
});
export type MessageContent = z.infer<typeof messageContent>;

export const messageNode = defineNodeType({
  type: "message",
  description: "Sends one or more messages (text, image, buttons) and continues.",
  content: messageContent,
  connections: ["default"],
});

export const runMessage: NodeHandler<MessageContent> = (ctx) => {
  const messages = ctx.node.content.messages.map((m): OutboundMessage => {
    const delayMs = m.delay_ms ?? ctx.node.content.typing_delay_ms;
    const timing = delayMs === undefined ? {} : { delayMs };
    if (m.type === "text") return { type: "text", text: ctx.render(m.text), ...timing };
    if (m.type === "image") return { type: "image", url: ctx.render(m.url), ...(m.alt === undefined ? {} : { alt: ctx.render(m.alt) }), ...timing };
    return { type: "buttons", text: ctx.render(m.text), buttons: m.buttons.map((b) => ({ label: ctx.render(b.label), value: b.value })), ...timing };
  });
  return { messages };
};
