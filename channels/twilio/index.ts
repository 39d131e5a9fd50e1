/**
 * The Twilio channel: SMS and phone calls run the bot's flow. Webhooks are verified with
 * X-Twilio-Signature over the public URL; replies are TwiML (or the Messages API for SMS, when the
 * bot asks for it). A bot with a realtime voice model takes calls over a media stream instead
 * (<Connect><Stream> to our WebSocket, bridged to OpenAI Realtime or Gemini Live).
 */
import { definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { receiveSms, smsStatus } from "./twilio-sms.route.ts";
import { serveMediaStream } from "./twilio-media.socket.ts";
import { receiveVoice, voiceStatus } from "./twilio-voice.route.ts";

export const definition = definePlugin({
  id: "@platform/twilio-channel",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["channel"],
  description: "Twilio SMS (numbered choices, STOP/HELP) and voice calls (<Say>, <Gather> speech and keypad) on the same flows as the web, or realtime voice over media streams.",
});

export default implementPlugin(definition, {
  routes: [
    { method: "POST", path: "/v1/channels/twilio/:botId/sms", handler: receiveSms },
    { method: "POST", path: "/v1/channels/twilio/:botId/sms/status", handler: smsStatus },
    { method: "POST", path: "/v1/channels/twilio/:botId/voice", handler: receiveVoice },
    { method: "POST", path: "/v1/channels/twilio/:botId/voice/status", handler: voiceStatus },
  ],
  sockets: [{ path: "/v1/channels/twilio/:botId/media", handler: serveMediaStream }],
});
