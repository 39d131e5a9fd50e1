import type { ClientMessage } from "whatsapp-api-js/types";
import type { ChannelPreview, OutboundMessage, PreviewBubble, PreviewTurn } from "../../core/sdk/index.ts";
import { renderMessageForWhatsApp, TEXT_MAX } from "./whatsapp-render.ts";

type Json = Record<string, any>;

/**
 * A turn as WhatsApp shows it: each message rendered by the code the sends use, its Cloud API
 * payload, and a bubble read back from that payload (so the preview cannot drift from the send).
 */
export function previewForWhatsApp(turn: PreviewTurn): ChannelPreview {
  const bubbles: PreviewBubble[] = [];
  const payloads: unknown[] = [];
  for (const message of turn.messages) {
    const rendered = renderMessageForWhatsApp(message);
    rendered.forEach((part, index) => {
      const payload = payloadOf(part);
      payloads.push(payload);
      const notes = notesFor(message, payload, index, rendered.length);
      bubbles.push({ ...bubbleOf(payload), ...(notes.length > 0 ? { notes } : {}) });
    });
  }
  return { surface: "whatsapp", label: "WhatsApp", bubbles, payloads };
}

/** What POST /{phone-number-id}/messages is sent (the recipient left out). */
function payloadOf(message: ClientMessage): Json {
  const type = (message as unknown as { _type: string })._type;
  return { messaging_product: "whatsapp", type, [type]: JSON.parse(JSON.stringify(message)) };
}

function bubbleOf(payload: Json): PreviewBubble {
  const body = payload[payload.type] as Json;
  if (payload.type === "text") return { text: body.body };
  if (payload.type === "image") return { image: { url: body.link, ...(body.caption ? { caption: body.caption } : {}) } };
  if (payload.type === "interactive" && body.type === "button") {
    return { text: body.body?.text, buttons: (body.action.buttons as Json[]).map((b) => ({ label: b.reply.title, value: b.reply.id })) };
  }
  if (payload.type === "interactive" && body.type === "list") {
    const rows = (body.action.sections as Json[]).flatMap((section) => section.rows as Json[]);
    return { text: body.body?.text, list: { button: body.action.button, rows: rows.map((r) => ({ title: r.title, ...(r.description ? { description: r.description } : {}), value: r.id })) } };
  }
  return { text: JSON.stringify(body) };
}

function notesFor(message: OutboundMessage, payload: Json, index: number, parts: number): string[] {
  const notes: string[] = [];
  if (parts > 1) notes.push(`Part ${index + 1} of ${parts}: a WhatsApp text holds ${TEXT_MAX.toLocaleString("en")} characters.`);
  if (message.type !== "buttons") return notes;
  const body = payload[payload.type] as Json;
  if (payload.type === "text") notes.push(message.buttons.length > 10 ? "More than 10 choices: sent as a numbered list, answered by number." : "Sent as a numbered list, answered by number.");
  else if (body.type === "list") notes.push("More than 3 choices: a list the user opens.");
  const titles = body.type === "button" ? (body.action.buttons as Json[]).map((b) => b.reply.title as string) : body.type === "list" ? (body.action.sections as Json[]).flatMap((s) => (s.rows as Json[]).map((r) => r.title as string)) : [];
  if (titles.some((title, i) => title !== message.buttons[i]?.label)) notes.push(`Labels clipped to ${body.type === "button" ? 20 : 24} characters.`);
  return notes;
}
