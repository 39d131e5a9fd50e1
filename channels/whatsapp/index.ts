/**
 * The WhatsApp channel (Cloud API through whatsapp-api-js): Meta's webhook in, the bot's messages
 * out. The platform's inbox owns the queue, the exactly-once ledger, the turn and the send rate
 * across nodes; this plugin owns everything that speaks WhatsApp.
 */
import { implementChannel } from "../../core/sdk/index.ts";
import { checkWhatsAppCredentials } from "./whatsapp-check.ts";
import { createSendPacer, createWhatsAppClient } from "./whatsapp-client.ts";
import { deliver } from "./whatsapp-deliver.ts";
import { parseInbound, type WaPayload } from "./whatsapp-inbound.ts";
import { whatsappChannel } from "./whatsapp.channel.ts";
import { previewForWhatsApp } from "./whatsapp-preview.ts";
import { receiveWebhook, verifyWebhook } from "./whatsapp-webhook.route.ts";

const pace = createSendPacer();

export default implementChannel({ id: "@platform/whatsapp-channel", version: "1.0.0", platform: "^1.0.0", description: whatsappChannel.description }, whatsappChannel, {
  routes: {
    verify: verifyWebhook,
    receive: receiveWebhook,
  },
  parseInbound: (payload, { config, settings }) => parseInbound(createWhatsAppClient(config, settings.graphUrl), config.phoneNumberId, payload as WaPayload),
  deliver: ({ to, messages }, { config, settings }) =>
    deliver(createWhatsAppClient(config, settings.graphUrl), to, messages, { phoneNumberId: config.phoneNumberId, template: config.template, perSecond: settings.sendPerSecond, pace }),
  checkCredentials: ({ config, settings }) => checkWhatsAppCredentials(config, settings.graphUrl),
  preview: (_surface, turn) => previewForWhatsApp(turn),
});
