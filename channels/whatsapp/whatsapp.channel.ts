import { defineChannel, z } from "../../core/sdk/index.ts";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be a URL starting with http:// or https://" });

const settingsSchema = z.object({
  /** Where the WhatsApp Cloud API is reached (a proxy, or a fake in tests); Meta's Graph API by default. */
  graphUrl: httpUrl.default("https://graph.facebook.com").transform((url) => url.replace(/\/$/, "")),
  /** Messages a second one number may send; Meta's default throughput is 80. */
  sendPerSecond: z.coerce.number().int().min(1).max(1000).default(80),
});

const botParams = z.object({ botId: z.string().min(1).max(100).describe("The bot's id (a UUID)") });

/**
 * The WhatsApp channel as data: what a tenant admin configures per bot, what the operator may set
 * per node, and Meta's two webhook calls. Handlers are bound in index.ts.
 */
export const whatsappChannel = defineChannel({
  name: "whatsapp",
  description: "WhatsApp Cloud API: verified webhooks, text, buttons, lists, media and locations in; text, buttons, lists, images and templates out.",
  configSchema: z.strictObject({
    phoneNumberId: z.string().regex(/^\d{5,30}$/, "the numeric phone number id from the WhatsApp Manager"),
    /** Template sent when the 24-hour customer service window has closed (Meta refuses free-form text then). */
    template: z.strictObject({ name: z.string().regex(/^[a-z0-9_]{1,512}$/), language: z.string().min(2).max(15) }).optional(),
  }),
  secretsSchema: z.strictObject({
    accessToken: z.string().min(10).max(1024),
    appSecret: z.string().min(8).max(256),
    verifyToken: z.string().min(8).max(256),
  }),
  settings: {
    schema: settingsSchema,
    env: { graphUrl: "WHATSAPP_GRAPH_URL", sendPerSecond: "WHATSAPP_SEND_PER_SECOND" },
  },
  routes: {
    verify: {
      method: "GET",
      path: "/:botId/webhook",
      operationId: "whatsappVerifyWebhook",
      summary: "Meta's subscription handshake: echoes hub.challenge to the holder of the bot's verify token",
      params: botParams,
      querystring: z.looseObject({ "hub.mode": z.string().optional(), "hub.verify_token": z.string().optional(), "hub.challenge": z.string().optional() }),
      responses: { 200: z.string().describe("hub.challenge, as text") },
    },
    receive: {
      method: "POST",
      path: "/:botId/webhook",
      operationId: "whatsappReceiveWebhook",
      summary: "Meta's event notifications (messages and delivery statuses), signed with the app secret; queued durably before the answer",
      params: botParams,
      headers: z.looseObject({ "x-hub-signature-256": z.string().optional().describe("sha256= and the HMAC-SHA256 of the raw body with the app secret") }),
      body: z.looseObject({
        object: z.string().optional().describe("whatsapp_business_account"),
        entry: z.array(z.looseObject({ id: z.string().optional(), changes: z.array(z.looseObject({ field: z.string().optional(), value: z.unknown() })).optional() })).optional(),
      }),
      responses: { 200: z.string().describe("EVENT_RECEIVED") },
      rawBody: true,
      webhook: "webhook",
    },
  },
  sendRate: { per: "phoneNumberId", perSecond: (settings) => settings.sendPerSecond },
  oneOpenSessionPerUser: true,
});

export type WhatsAppConfig = z.infer<typeof whatsappChannel.configSchema> & z.infer<typeof whatsappChannel.secretsSchema>;
export type WhatsAppSettings = z.infer<typeof settingsSchema>;
