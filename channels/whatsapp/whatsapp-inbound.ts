import type { WhatsAppAPI } from "whatsapp-api-js";
import type { InboundEvent } from "../../core/sdk/index.ts";
import { assertGraphOk, withBackoff } from "./whatsapp-client.ts";

// Media larger than this stays at Meta; the turn still runs with a note in its place.
const MEDIA_MAX_BYTES = 16 * 1024 * 1024;
const MEDIA_TYPES = ["image", "document", "audio", "video", "sticker"] as const;

type WaMessage = Record<string, unknown> & { id: string; from: string; type: string };
type WaStatus = { id: string; status: string; errors?: { code?: number; title?: string; message?: string }[] };
type WaValue = { metadata?: { phone_number_id?: string }; messages?: WaMessage[]; statuses?: WaStatus[] };
export type WaPayload = { object?: string; entry?: { changes?: { field?: string; value?: WaValue }[] }[] };

/** Every `value` of a webhook payload (Meta may batch several changes into one POST). */
export function valuesOf(payload: WaPayload): WaValue[] {
  return (payload.entry ?? []).flatMap((e) => (e.changes ?? []).filter((c) => c.field === "messages" && c.value).map((c) => c.value as WaValue));
}

/** Turns a verified payload into message and status events; media is fetched through the Graph API. */
export async function parseInbound(wa: WhatsAppAPI<void>, phoneNumberId: string, payload: WaPayload): Promise<InboundEvent[]> {
  const events: InboundEvent[] = [];
  for (const value of valuesOf(payload)) {
    // The webhook refused other numbers already; a queued payload is checked again all the same.
    if (value.metadata?.phone_number_id !== phoneNumberId) continue;
    for (const status of value.statuses ?? []) {
      const error = status.errors?.[0];
      events.push({ kind: "status", vendorMessageId: status.id, status: status.status, ...(error ? { error: `${error.code ?? ""} ${error.title ?? error.message ?? ""}`.trim() } : {}) });
    }
    for (const message of value.messages ?? []) {
      const event = await readMessage(wa, phoneNumberId, message);
      if (event) events.push(event);
    }
  }
  return events;
}

async function readMessage(wa: WhatsAppAPI<void>, phoneNumberId: string, m: WaMessage): Promise<InboundEvent | undefined> {
  const base = { kind: "message" as const, vendorMessageId: m.id, from: m.from };
  const part = <T>(key: string) => m[key] as T;
  switch (m.type) {
    case "text":
      return { ...base, text: part<{ body: string }>("text").body };
    case "interactive": {
      const interactive = part<{ button_reply?: { id: string }; list_reply?: { id: string } }>("interactive");
      const id = interactive.button_reply?.id ?? interactive.list_reply?.id;
      return id === undefined ? undefined : { ...base, choice: id };
    }
    case "button":
      // A quick-reply button of a template message: its text is what the user chose.
      return { ...base, text: part<{ text: string }>("button").text };
    case "location": {
      const l = part<{ latitude: number; longitude: number; name?: string; address?: string }>("location");
      return { ...base, text: `${[l.name, l.address].filter(Boolean).join(", ") || "Location"} (${l.latitude}, ${l.longitude})` };
    }
    case "contacts": {
      const contacts = part<{ name?: { formatted_name?: string }; phones?: { phone?: string }[] }[]>("contacts");
      return { ...base, text: contacts.map((c) => [c.name?.formatted_name, ...(c.phones ?? []).map((p) => p.phone)].filter(Boolean).join(" ")).join("; ") };
    }
    default:
      if ((MEDIA_TYPES as readonly string[]).includes(m.type)) return readMedia(wa, phoneNumberId, m, base);
      return undefined; // reactions, unsupported types: nothing for the flow to answer
  }
}

async function readMedia(wa: WhatsAppAPI<void>, phoneNumberId: string, m: WaMessage, base: { kind: "message"; vendorMessageId: string; from: string }): Promise<InboundEvent> {
  const media = m[m.type] as { id: string; caption?: string; filename?: string; mime_type?: string };
  const note = media.caption ?? `[${m.type}${media.filename ? `: ${media.filename}` : ""}]`;
  const info = assertGraphOk(await withBackoff(() => wa.retrieveMedia(media.id, phoneNumberId))) as { url?: string; mime_type?: string; file_size?: number };
  if (!info.url || (info.file_size ?? 0) > MEDIA_MAX_BYTES) return { ...base, text: note };
  const response = await withBackoff(() => wa.fetchMedia(info.url as string));
  const bytes = Buffer.from(await response.arrayBuffer());
  if (!response.ok || bytes.length > MEDIA_MAX_BYTES) return { ...base, text: note };
  return { ...base, text: note, media: { mimeType: info.mime_type ?? media.mime_type ?? "application/octet-stream", base64: bytes.toString("base64") } };
}
