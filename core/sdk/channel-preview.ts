/**
 * How a turn looks on a channel, for the console's test panel: the bot's messages rendered by the
 * channel's own renderer (the one its sends use), then described in vendor-neutral bubbles the
 * console can draw (text, an image, reply buttons, a list), with notes on what the channel changed
 * to fit (a long text split, labels clipped, choices numbered), beside the vendor payloads
 * themselves. A channel declares the surfaces it previews (`previews` in its definition) and
 * answers them with a `preview` handler.
 */
import { z } from "zod";
import type { InputRequest, OutboundMessage } from "./node-type.ts";

export const previewBubbleSchema = z.strictObject({
  text: z.string().optional().describe("The text as the user reads it (choices numbered where the channel has no buttons)"),
  image: z.strictObject({ url: z.string(), caption: z.string().optional() }).optional(),
  buttons: z.array(z.strictObject({ label: z.string(), value: z.string() })).optional().describe("Reply buttons under the bubble"),
  list: z.strictObject({
    button: z.string().describe("The label of the button that opens the list"),
    rows: z.array(z.strictObject({ title: z.string(), description: z.string().optional(), value: z.string() })),
  }).optional().describe("A list the user opens and picks one row of"),
  notes: z.array(z.string()).optional().describe("What the channel did to fit its limits (split, clipped, numbered, segments)"),
}).describe("One message as the user sees it on the channel");

export const channelPreviewSchema = z.strictObject({
  surface: z.string(),
  label: z.string(),
  bubbles: z.array(previewBubbleSchema),
  payloads: z.array(z.unknown()).describe("What the vendor is sent for this turn, one entry per message, as the channel's sends build it"),
});

export type PreviewBubble = z.infer<typeof previewBubbleSchema>;
export type ChannelPreview = z.infer<typeof channelPreviewSchema>;

/** A surface a channel previews: its id (unique across channels, the console's switch) and label. */
export type PreviewSurface = { label: string; description?: string };

/** What a channel's `preview` handler gets: one turn's messages and what the bot waits for. */
export type PreviewTurn = { messages: OutboundMessage[]; input: InputRequest | null };

/**
 * The platform's own rendering, which the web widget and the chat API show as they are: every
 * message a bubble, buttons as buttons.
 */
export function platformPreview(turn: PreviewTurn): ChannelPreview {
  const bubbles: PreviewBubble[] = turn.messages.map((message) => {
    if (message.type === "text") return { text: message.text };
    if (message.type === "image") return { image: { url: message.url, ...(message.alt ? { caption: message.alt } : {}) } };
    return { text: message.text, buttons: message.buttons.map((b) => ({ label: b.label, value: b.value })) };
  });
  return { surface: "web", label: "Web", bubbles, payloads: turn.messages };
}
