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
