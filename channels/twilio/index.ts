/**
 * The Twilio channel: SMS and phone calls run the bot's flow. Webhooks are verified with
 * X-Twilio-Signature over the public URL; replies are TwiML (or the Messages API for SMS, when the
 * bot asks for it). The realtime voice path (<Connect><Stream> to a speech model) is not here yet.
 */
import { definePlugin, implementPlugin } from "../../core/plugin-sdk/index.ts";
import { receiveSms, smsStatus } from "./twilio-sms.route.ts";
import { receiveVoice, voiceStatus } from "./twilio-voice.route.ts";

export const definition = definePlugin({
  id: "@platform/twilio-channel",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["channel"],
  description: "Twilio SMS (numbered choices, STOP/HELP) and voice calls (<Say>, <Gather> speech and keypad) on the same flows as the web.",
});

export default implementPlugin(definition, {
  routes: [
    { method: "POST", path: "/v1/channels/twilio/:botId/sms", handler: receiveSms },
    { method: "POST", path: "/v1/channels/twilio/:botId/sms/status", handler: smsStatus },
    { method: "POST", path: "/v1/channels/twilio/:botId/voice", handler: receiveVoice },
    { method: "POST", path: "/v1/channels/twilio/:botId/voice/status", handler: voiceStatus },
  ],
});
