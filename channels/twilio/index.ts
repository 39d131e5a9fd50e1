/**
 * The Twilio channel: SMS and phone calls run the bot's flow. Webhooks are verified with
 * X-Twilio-Signature over the public URL; replies are TwiML (or the Messages API for SMS, when the
 * bot asks for it). A bot with a realtime voice model takes calls over a media stream instead
 * (<Connect><Stream> to our WebSocket, bridged to OpenAI Realtime or Gemini Live).
 */
import { implementChannel } from "../../core/sdk/index.ts";
import { receiveSms, smsStatus } from "./twilio-sms.route.ts";
import { serveMediaStream } from "./twilio-media.socket.ts";
import { checkTwilioCredentials } from "./twilio-check.ts";
import { receiveVoice, voiceStatus } from "./twilio-voice.route.ts";
import { twilioChannel } from "./twilio.channel.ts";
import { deliverSms, deliverToCall, isCallSid } from "./twilio-deliver.ts";
import { holdVoice } from "./twilio-hold.route.ts";
import { previewForSms } from "./twilio-preview.ts";

export default implementChannel({ id: "@platform/twilio-channel", version: "1.0.0", platform: "^1.0.0", description: twilioChannel.description }, twilioChannel, {
  routes: { sms: receiveSms, smsStatus, voice: receiveVoice, voiceStatus, voiceHold: holdVoice },
  sockets: { media: serveMediaStream },
  checkCredentials: ({ config, settings }) => checkTwilioCredentials(config, settings.apiUrl),
  preview: (_surface, turn) => previewForSms(turn),
  // Only for messages outside a turn (a person's reply): a turn's own reply goes back as TwiML or from the SMS route.
  // A call (its user is a CallSid) hears them on its hold loop's next round.
  deliver: ({ to, messages }, { config, settings }) => (isCallSid(to) ? deliverToCall(to, messages) : deliverSms(config, settings.apiUrl, to, messages)),
});
