/**
 * The WhatsApp channel (Cloud API through whatsapp-api-js): Meta's webhook in, the bot's messages
 * out. The platform's channel glue (core/channel-config) owns the queue, the exactly-once ledger
 * and the turn; this plugin owns everything that speaks WhatsApp.
 */
import { definePlugin, implementPlugin, z } from "../../core/sdk/index.ts";
import { createSendPacer, createWhatsAppClient } from "./whatsapp-client.ts";
import { deliver } from "./whatsapp-deliver.ts";
import { parseInbound, type WaPayload } from "./whatsapp-inbound.ts";
import { endpointsSchema, whatsappSettingsSchema } from "./whatsapp-settings.ts";
import { receiveWebhook, verifyWebhook } from "./whatsapp-webhook.route.ts";

const outboundMessage = z.union([
  z.object({ type: z.literal("text"), text: z.string() }),
  z.object({ type: z.literal("image"), url: z.string(), alt: z.string().optional() }),
  z.object({ type: z.literal("buttons"), text: z.string(), buttons: z.array(z.object({ label: z.string(), value: z.string() })) }),
]);

export const definition = definePlugin({
  id: "@platform/whatsapp-channel",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["channel"],
  description: "WhatsApp Cloud API: verified webhooks, text, buttons, lists, media and locations in; text, buttons, lists, images and templates out.",
  actions: {
    parseInbound: { description: "A verified webhook payload as message and status events", params: z.object({ config: whatsappSettingsSchema, endpoints: endpointsSchema, payload: z.unknown() }) },
    deliver: { description: "Send a turn's messages to one user", params: z.object({ config: whatsappSettingsSchema, endpoints: endpointsSchema, to: z.string().min(1), messages: z.array(outboundMessage), input: z.unknown() }) },
  },
});

const pace = createSendPacer();

export default implementPlugin(definition, {
  routes: [
    { method: "GET", path: "/v1/channels/whatsapp/:botId/webhook", handler: verifyWebhook },
    { method: "POST", path: "/v1/channels/whatsapp/:botId/webhook", handler: receiveWebhook(definition.id) },
  ],
  actions: {
    parseInbound: ({ config, endpoints, payload }) => parseInbound(createWhatsAppClient(config, endpoints.whatsappGraphUrl), config.phoneNumberId, payload as WaPayload),
    deliver: ({ config, endpoints, to, messages }) =>
      deliver(createWhatsAppClient(config, endpoints.whatsappGraphUrl), to, messages, { phoneNumberId: config.phoneNumberId, template: config.template, perSecond: endpoints.whatsappSendPerSecond, pace }),
  },
});
