/** `config.voice`: how a bot sounds on the phone. The realtime module (core/modules/ai/realtime-voice.ts) runs it. */
import { z } from "zod";

export const realtimeVoiceConfigSchema = z.strictObject({
  provider: z.enum(["openai", "gemini"]),
  /** The vendor's realtime model; defaults below. */
  model: z.string().min(1).max(200).optional(),
  /** A voice the vendor offers (`alloy`, `marin`… for OpenAI; `Puck`, `Kore`… for Gemini). */
  voice: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "a voice name such as alloy or Puck").optional(),
});
export type RealtimeVoiceConfig = z.infer<typeof realtimeVoiceConfigSchema>;

/** `config.voice`: how the bot sounds on the phone. */
export const botVoiceConfigSchema = z.strictObject({ realtime: realtimeVoiceConfigSchema.optional() });

