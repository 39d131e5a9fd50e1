import { z } from "zod";

/**
 * What a tenant admin configures per bot and channel. One strict schema per channel drives the
 * admin API's validation and its OpenAPI form; `secretFields` names what is sealed at rest and
 * never shown again.
 */
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, "an E.164 number such as +15551234567");

export const whatsappConfigSchema = z.strictObject({
  phoneNumberId: z.string().regex(/^\d{5,30}$/, "the numeric phone number id from the WhatsApp Manager"),
  accessToken: z.string().min(10).max(1024),
  appSecret: z.string().min(8).max(256),
  verifyToken: z.string().min(8).max(256),
  /** Template sent when the 24-hour customer service window has closed (Meta refuses free-form text then). */
  template: z.strictObject({ name: z.string().regex(/^[a-z0-9_]{1,512}$/), language: z.string().min(2).max(15) }).optional(),
});

export const twilioConfigSchema = z.strictObject({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "an Account SID: AC followed by 32 hex digits"),
  authToken: z.string().min(16).max(256),
  phoneNumbers: z.array(e164).min(1).max(50),
  /** `twiml` answers the webhook itself; `rest` acknowledges at once and sends through the Messages API. */
  smsReply: z.enum(["twiml", "rest"]).default("twiml"),
  helpText: z.string().min(1).max(600).optional(),
});

export const channelSchemas = {
  whatsapp: { schema: whatsappConfigSchema, secretFields: ["accessToken", "appSecret", "verifyToken"] },
  twilio: { schema: twilioConfigSchema, secretFields: ["authToken"] },
} as const;

export type ChannelName = keyof typeof channelSchemas;
export type WhatsappConfig = z.infer<typeof whatsappConfigSchema>;
export type TwilioConfig = z.infer<typeof twilioConfigSchema>;

export function isChannelName(value: string): value is ChannelName {
  return Object.hasOwn(channelSchemas, value);
}

/** Splits a valid configuration into what may be shown and what is sealed. */
export function splitSecrets(channel: ChannelName, config: Record<string, unknown>): { visible: Record<string, unknown>; secret: Record<string, unknown> } {
  const secretNames: readonly string[] = channelSchemas[channel].secretFields;
  const visible: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) (secretNames.includes(key) ? secret : visible)[key] = value;
  return { visible, secret };
}

/** Where the vendors call us and where we call them: what a channel plugin needs besides the bot's config. */
export type ChannelEndpoints = { publicUrl: string | null; whatsappGraphUrl: string; whatsappSendPerSecond: number; twilioApiUrl: string };

/** A bot's channel as the pipeline uses it: its tenant, its config with secrets opened, and the endpoints. */
export type ResolvedChannel = { tenantId: string; botId: string; channel: ChannelName; config: Record<string, unknown>; endpoints: ChannelEndpoints };
