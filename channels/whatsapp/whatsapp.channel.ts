import { defineChannel, errorAnswer, z } from "../../core/sdk/index.ts";

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
  // Titles and descriptions are what the console's form shows beside each field.
  configSchema: z.strictObject({
    phoneNumberId: z.string().regex(/^\d{5,30}$/, "the numeric phone number id from the WhatsApp Manager")
      .meta({ title: "Phone number ID", description: "The number's id in WhatsApp Manager → API setup (digits; not the phone number itself)" }),
    /** Template sent when the 24-hour customer service window has closed (Meta refuses free-form text then). */
    template: z.strictObject({
      name: z.string().regex(/^[a-z0-9_]{1,512}$/).meta({ title: "Template name" }),
      language: z.string().min(2).max(15).meta({ title: "Language", description: "The template's language code, such as en_US" }),
    }).optional().meta({ title: "Template after 24 hours", description: "Sent instead of a reply once the customer's 24-hour window has closed" }),
  }),
  secretsSchema: z.strictObject({
    accessToken: z.string().min(10).max(1024).meta({ title: "Access token", description: "A system user's permanent token with the whatsapp_business_messaging permission" }),
    appSecret: z.string().min(8).max(256).meta({ title: "App secret", description: "App settings → Basic in Meta for Developers; it signs every webhook" }),
    verifyToken: z.string().min(8).max(256).meta({ title: "Verify token", description: "A phrase of your choice (8 characters or more); give Meta the same one with the webhook URL" }),
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
      produces: ["text/plain"],
      responses: { 200: z.string().describe("hub.challenge, as text"), 403: errorAnswer("The verify token does not match (VERIFY_TOKEN_MISMATCH)") },
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
      produces: ["text/plain"],
      responses: { 200: z.string().describe("EVENT_RECEIVED"), 401: errorAnswer("X-Hub-Signature-256 does not match the body (SIGNATURE_INVALID)") },
      rawBody: true,
      webhook: "webhook",
    },
  },
  sendRate: { per: "phoneNumberId", perSecond: (settings) => settings.sendPerSecond },
  oneOpenSessionPerUser: true,
  previews: { whatsapp: { label: "WhatsApp", description: "Reply buttons (up to 3), lists (up to 10), texts of 4,096 characters" } },
});

export type WhatsAppConfig = z.infer<typeof whatsappChannel.configSchema> & z.infer<typeof whatsappChannel.secretsSchema>;
export type WhatsAppSettings = z.infer<typeof settingsSchema>;
