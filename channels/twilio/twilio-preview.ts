import type { ChannelPreview, PreviewTurn } from "../../core/sdk/index.ts";
import { messagingTwiml, smsText } from "./twilio-render.ts";

// Twilio takes bodies up to 1,600 characters and sends them as segments the phone joins: 160
// characters each in the GSM-7 alphabet (153 once split), 70 in UCS-2 (67 once split).
const BODY_MAX = 1600;
const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;

/**
 * A turn as an SMS shows it: one text (choices numbered, answered by number or label), images as
 * MMS media; the payload is the TwiML the SMS webhook answers. The note counts the segments billed.
 */
export function previewForSms(turn: PreviewTurn): ChannelPreview {
  const reply = smsText(turn.messages);
  const notes: string[] = [];
  if (turn.messages.some((m) => m.type === "buttons")) notes.push("SMS has no buttons: choices are numbered, and the user answers with a number or the label.");
  if (reply.body) {
    const gsm = GSM7.test(reply.body);
    const single = gsm ? 160 : 70;
    const each = gsm ? 153 : 67;
    const segments = reply.body.length <= single ? 1 : Math.ceil(reply.body.length / each);
    if (segments > 1) notes.push(`${reply.body.length} characters: sent as ${segments} segments (${gsm ? "GSM-7" : "Unicode"}, ${each} characters each) that the phone joins.`);
    if (reply.body.length > BODY_MAX) notes.push(`Over ${BODY_MAX.toLocaleString("en")} characters: Twilio refuses a body this long; shorten the messages of this turn.`);
  }
  const bubbles = [
    ...reply.mediaUrls.map((url) => ({ image: { url } })),
    ...(reply.body ? [{ text: reply.body, ...(notes.length > 0 ? { notes } : {}) }] : []),
  ];
  return { surface: "sms", label: "SMS", bubbles, payloads: [messagingTwiml(reply)] };
}
