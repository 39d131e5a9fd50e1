import type { DeliveryReport, OutboundMessage } from "../../core/sdk/index.ts";
import { createTwilioRestClient } from "./twilio-rest.ts";
import { smsText } from "./twilio-render.ts";
import type { TwilioConfig } from "./twilio.channel.ts";

/** Where a reply goes out from, and where Twilio reports its delivery (from the message it answers). */
export type SmsReplyOptions = { from?: string; statusCallback?: string };

/**
 * A conversation's messages to an SMS user, as one SMS through the Messages API: a turn's reply
 * (from the number the user wrote to, with a status callback) or a person's reply to a
 * conversation handed to them (from the bot's first number). Never throws: a refused send is
 * reported, and the platform records it for the admin.
 */
export async function deliverSms(config: TwilioConfig, apiUrl: string, to: string, messages: readonly OutboundMessage[], options: SmsReplyOptions = {}): Promise<DeliveryReport[]> {
  const { body, mediaUrls } = smsText(messages);
  if (!body && mediaUrls.length === 0) return [];
  const from = options.from && config.phoneNumbers.includes(options.from) ? options.from : config.phoneNumbers[0]!;
  try {
    const sent = await createTwilioRestClient(config, apiUrl).messages.create({
      to, from, ...(options.statusCallback ? { statusCallback: options.statusCallback } : {}),
      ...(body ? { body } : {}), ...(mediaUrls.length > 0 ? { mediaUrl: mediaUrls } : {}),
    });
    return [{ vendorMessageId: sent.sid, status: sent.status ?? "queued" }];
  } catch (error) {
    return [{ vendorMessageId: `failed:${crypto.randomUUID()}`, status: "failed", error: `Twilio refused the message (${(error as { status?: number }).status ?? "no answer"})` }];
  }
}

/** A call's id (Twilio's CallSid), which names a phone caller where an SMS user has a number. */
export function isCallSid(to: string): boolean {
  return /^CA[0-9a-f]{32}$/i.test(to);
}

/**
 * Messages to a caller waiting on the line: nothing is sent now. They are in the conversation's
 * history, and the call's hold loop (twilio-hold.route.ts) speaks them on its next round, a few
 * seconds later; until then they are queued.
 */
export function deliverToCall(callSid: string, messages: readonly OutboundMessage[]): DeliveryReport[] {
  return messages.map(() => ({ vendorMessageId: `${callSid}:${crypto.randomUUID()}`, status: "queued" }));
}
