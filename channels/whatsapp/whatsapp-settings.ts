import { z } from "../../core/sdk/index.ts";

/**
 * The part of a bot's WhatsApp configuration this plugin reads, as the platform's channel store
 * hands it over (secrets opened). Checked again here because it crosses the broker.
 */
export const whatsappSettingsSchema = z.object({
  phoneNumberId: z.string().min(1),
  accessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  template: z.object({ name: z.string(), language: z.string() }).optional(),
});
export type WhatsAppSettings = z.infer<typeof whatsappSettingsSchema>;

export const endpointsSchema = z.object({ whatsappGraphUrl: z.string().min(1), whatsappSendPerSecond: z.number().int().min(1) });
