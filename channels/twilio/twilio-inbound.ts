import { z, type InboundEvent } from "../../core/sdk/index.ts";
import type { TwilioConfig } from "./twilio.channel.ts";

/** What the SMS route queues of a verified webhook: only what the turn and its reply need. */
const queuedSmsSchema = z.object({
  MessageSid: z.string().min(1), From: z.string().min(1), To: z.string().min(1), Body: z.string(), StatusCallback: z.string().url(),
});
export type QueuedSms = z.infer<typeof queuedSmsSchema>;

/**
 * A queued SMS as the inbox's message event: its MessageSid is the id the ledger claims once, its
 * conversation is an `sms` one (users `sms:+15551234567`, as before SMS was queued), and its reply
 * goes out from the number the user wrote to, with delivery statuses called back.
 */
export function parseInboundSms(payload: unknown, config: TwilioConfig): InboundEvent[] {
  const sms = queuedSmsSchema.parse(payload);
  const from = config.phoneNumbers.includes(sms.To) ? sms.To : config.phoneNumbers[0]!;
  return [{
    kind: "message", vendorMessageId: sms.MessageSid, from: sms.From, text: sms.Body, sessionChannel: "sms",
    replyOptions: { from, statusCallback: sms.StatusCallback },
  }];
}
