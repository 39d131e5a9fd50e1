import type { DeliveryReport, OutboundMessage } from "../../core/sdk/index.ts";
import { createTwilioRestClient } from "./twilio-rest.ts";
import { smsText } from "./twilio-render.ts";
import type { TwilioConfig } from "./twilio.channel.ts";

/**
 * Messages to an SMS user outside their own turn (a person of the business answering a
 * conversation handed to them): one SMS through the Messages API from the bot's first number.
 * Never throws: a refused send is reported, and the platform records it for the admin.
 */
export async function deliverSms(config: TwilioConfig, apiUrl: string, to: string, messages: readonly OutboundMessage[]): Promise<DeliveryReport[]> {
  const { body, mediaUrls } = smsText(messages);
  if (!body && mediaUrls.length === 0) return [];
  try {
    const sent = await createTwilioRestClient(config, apiUrl).messages.create({
      to, from: config.phoneNumbers[0]!, ...(body ? { body } : {}), ...(mediaUrls.length > 0 ? { mediaUrl: mediaUrls } : {}),
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
