/**
 * The Twilio channel: SMS and phone calls run the bot's flow. Every webhook's X-Twilio-Signature
 * (over the public URL, and the body's SHA-256 for JSON bodies) is checked before its body is
 * parsed. An SMS is acknowledged at once and its turn runs from the platform's durable inbound
 * queue, the reply sent through the Messages API; a call's turns answer in TwiML. A bot with a
 * realtime voice model takes calls over a media stream instead (<Connect><Stream> to our
 * WebSocket, bridged to OpenAI Realtime or Gemini Live).
 */
import { implementChannel } from "../../core/sdk/index.ts";
import { receiveSms, smsStatus } from "./twilio-sms.route.ts";
import { serveMediaStream } from "./twilio-media.socket.ts";
import { checkTwilioCredentials } from "./twilio-check.ts";
import { receiveVoice, voiceStatus } from "./twilio-voice.route.ts";
import { twilioChannel } from "./twilio.channel.ts";
import { deliverSms, deliverToCall, isCallSid } from "./twilio-deliver.ts";
import { holdVoice } from "./twilio-hold.route.ts";
import { parseInboundSms } from "./twilio-inbound.ts";
import { verifyTwilioSignature } from "./twilio-settings.ts";
import { previewForSms } from "./twilio-preview.ts";

export default implementChannel({ id: "@platform/twilio-channel", version: "1.0.0", platform: "^1.0.0", description: twilioChannel.description }, twilioChannel, {
  routes: { sms: receiveSms, smsStatus, voice: receiveVoice, voiceStatus, voiceHold: holdVoice },
  verify: { sms: verifyTwilioSignature, smsStatus: verifyTwilioSignature, voice: verifyTwilioSignature, voiceStatus: verifyTwilioSignature, voiceHold: verifyTwilioSignature },
  sockets: { media: serveMediaStream },
  checkCredentials: ({ config, settings }) => checkTwilioCredentials(config, settings.apiUrl),
  preview: (_surface, turn) => previewForSms(turn),
  parseInbound: (payload, { config }) => parseInboundSms(payload, config),
  // An SMS turn's reply (with the number written to and a status callback), or a person's reply to a
  // handed-over conversation; a call (its user is a CallSid) hears those on its hold loop's next round.
  deliver: ({ to, messages, replyOptions }, { config, settings }) => (isCallSid(to) ? deliverToCall(to, messages) : deliverSms(config, settings.apiUrl, to, messages, replyOptions ?? {})),
});
