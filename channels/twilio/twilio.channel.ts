import { defineChannel, errorAnswer, z } from "../../core/sdk/index.ts";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be a URL starting with http:// or https://" });

const settingsSchema = z.object({
  /** Where the Twilio REST API is reached (a proxy, or a fake in tests); api.twilio.com by default. */
  apiUrl: httpUrl.default("https://api.twilio.com").transform((url) => url.replace(/\/$/, "")),
});
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, "an E.164 number such as +15551234567");
const botParams = z.object({ botId: z.string().min(1).max(100).describe("The bot's id (a UUID)") });
const signed = z.looseObject({ "x-twilio-signature": z.string().optional().describe("Twilio's HMAC-SHA1 of the public URL and the form parameters (of the URL alone, with bodySHA256 in it, for a JSON body), with the auth token") });
const form = ["application/x-www-form-urlencoded"];
const twiml = z.string().describe("TwiML (text/xml)");
const refused = errorAnswer("The X-Twilio-Signature (checked before the body is read) or the number does not match this bot (SIGNATURE_INVALID, PHONE_NUMBER_MISMATCH)");

/** Twilio's form fields, as far as the channel reads them; Twilio sends many more, all kept. */
const messageForm = z.looseObject({
  AccountSid: z.string().optional(), MessageSid: z.string().optional(), SmsSid: z.string().optional(),
  From: z.string().optional(), To: z.string().optional(), Body: z.string().optional(), NumMedia: z.string().optional(),
  MessageStatus: z.string().optional(), ErrorCode: z.string().optional(),
});
const callForm = z.looseObject({
  AccountSid: z.string().optional(), CallSid: z.string().optional(), From: z.string().optional(), To: z.string().optional(), Called: z.string().optional(),
  CallStatus: z.string().optional(), Digits: z.string().optional(), SpeechResult: z.string().optional(), ErrorCode: z.string().optional(),
});

/**
 * The Twilio channel as data: SMS and voice webhooks signed with X-Twilio-Signature, and the media
 * stream WebSocket of realtime voice calls. Handlers are bound in index.ts.
 */
export const twilioChannel = defineChannel({
  name: "twilio",
  description: "Twilio SMS (numbered choices, STOP/HELP) and voice calls (<Say>, <Gather> speech and keypad) on the same flows as the web, or realtime voice over media streams.",
  // Titles and descriptions are what the console's form shows beside each field.
  configSchema: z.strictObject({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "an Account SID: AC followed by 32 hex digits")
      .meta({ title: "Account SID", description: "On the Twilio console's home page: AC followed by 32 characters" }),
    phoneNumbers: z.array(e164.meta({ title: "Phone number" })).min(1).max(50).meta({ title: "Phone numbers", description: "The account's numbers this bot answers, as +15551234567" }),
    /**
     * No longer read: SMS replies always go through the Messages API now (the webhook is acknowledged
     * before the turn runs). Accepted so that configurations saved with it still load.
     */
    smsReply: z.enum(["twiml", "rest"]).optional().meta({ title: "SMS replies (no longer used)", description: "Ignored: replies always go through the Messages API, with the Account SID and auth token", deprecated: true }),
    helpText: z.string().min(1).max(600).optional().meta({ title: "HELP answer", description: "The reply to HELP, before \"Reply STOP to unsubscribe.\" (default: This is an automated assistant.)" }),
    /** A call handed to people: held on the line for the inbox's agents, or put through to a number. */
    handoff: z.strictObject({
      transferNumber: e164.optional().meta({ title: "Transfer to", description: "Put callers waiting for a person through to this number (+15551234567) instead of holding them for the inbox" }),
    }).optional().meta({ title: "Calls handed to a person" }),
  }),
  secretsSchema: z.strictObject({ authToken: z.string().min(16).max(256).meta({ title: "Auth token", description: "Next to the Account SID in the Twilio console; it signs every webhook" }) }),
  settings: {
    schema: settingsSchema,
    env: { apiUrl: "TWILIO_API_URL" },
  },
  routes: {
    sms: {
      method: "POST", path: "/:botId/sms", operationId: "twilioReceiveSms", consumes: form, webhook: "sms",
      summary: "An incoming SMS: signature checked before the body is read, number checked, STOP/START/HELP answered; other messages queued durably and acknowledged with an empty TwiML response, the reply sent through the Messages API",
      params: botParams, headers: signed, body: messageForm, produces: ["text/xml"],
      responses: { 200: twiml, 400: errorAnswer("A signed request that is not an SMS Twilio sends: no MessageSid or From, or a body that is not Twilio's parameters (SMS_INCOMPLETE, TWILIO_PARAMETERS_INVALID)"), 403: refused },
    },
    smsStatus: {
      method: "POST", path: "/:botId/sms/status", operationId: "twilioSmsStatus", consumes: form,
      summary: "Delivery status of a message sent through the Messages API",
      params: botParams, headers: signed, body: messageForm, responses: { 204: z.null().describe("No content"), 403: refused },
    },
    voice: {
      method: "POST", path: "/:botId/voice", operationId: "twilioReceiveVoice", consumes: form, webhook: "voice",
      summary: "A phone call's turn: speech or keypad in, TwiML out (or a media stream for realtime voice)",
      params: botParams, querystring: z.looseObject({ silence: z.string().optional().describe("Silent turns so far") }), headers: signed, body: callForm, produces: ["text/xml"], responses: { 200: twiml, 403: refused },
    },
    voiceHold: {
      method: "POST", path: "/:botId/voice/hold", operationId: "twilioVoiceHold", consumes: form,
      summary: "A call waiting for a person: what agents wrote is spoken, what the caller says goes to them, and the call comes back here until the bot takes it back or it is closed",
      params: botParams,
      querystring: z.looseObject({
        after: z.string().optional().describe("The conversation's revision the call has heard up to"),
        held: z.string().optional().describe("How many times the call came back here"),
      }),
      headers: signed, body: callForm, produces: ["text/xml"], responses: { 200: twiml, 403: refused },
    },
    voiceStatus: {
      method: "POST", path: "/:botId/voice/status", operationId: "twilioVoiceStatus", consumes: form, webhook: "voiceStatus",
      summary: "Call progress (ringing, in-progress, completed...), kept in the channel's message log",
      params: botParams, headers: signed, body: callForm, responses: { 204: z.null().describe("No content"), 403: refused },
    },
  },
  sockets: {
    media: { path: "/:botId/media", summary: "Twilio Media Streams: a realtime voice call's audio, both ways (WebSocket)" },
  },
  // SMS turns run from the durable queue, which redelivers: a second session racing the first is refused and its message finds the first.
  oneOpenSessionPerUser: true,
  previews: { sms: { label: "SMS", description: "Plain text, choices numbered, images as MMS, long texts in segments" } },
});

export type TwilioConfig = z.infer<typeof twilioChannel.configSchema> & z.infer<typeof twilioChannel.secretsSchema>;
export type TwilioSettings = z.infer<typeof settingsSchema>;
/** The bot's configuration, secrets opened, as one strict schema (checked again where it crosses the broker). */
export const twilioConfigSchema = twilioChannel.configSchema.extend(twilioChannel.secretsSchema.shape);
