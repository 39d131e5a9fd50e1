import { ForbiddenError, type PluginHttpRequest, type PluginRouteContext, type ResolvedBotChannel } from "../../core/sdk/index.ts";
import twilio from "twilio";
import { twilioConfigSchema, type TwilioConfig, type TwilioSettings } from "./twilio.channel.ts";

/** A bot's Twilio channel, as the platform's channel store hands it over (secrets opened). */
export type ResolvedTwilio = ResolvedBotChannel<TwilioConfig, TwilioSettings>;

/** Form fields as Twilio posts them (every value a string). */
export type TwilioParams = Record<string, string>;

/**
 * Loads the bot's Twilio configuration and proves the request came from Twilio: X-Twilio-Signature
 * over the public URL (PUBLIC_URL when set, so it holds behind a proxy) and the form parameters.
 * The number called must be one of the bot's.
 */
export async function verifiedTwilioRequest(request: PluginHttpRequest, ctx: PluginRouteContext, numberField: "To" | "From" | "Called" = "To"): Promise<{ resolved: ResolvedTwilio; params: TwilioParams }> {
  const resolved = await ctx.call<ResolvedTwilio>("channelConfig.resolve", { botId: request.params.botId, channel: "twilio" });
  const config = twilioConfigSchema.parse(resolved.config);
  const params = formParams(request.body);
  const signature = request.headers["x-twilio-signature"];
  if (!signature || !twilio.validateRequest(config.authToken, signature, request.publicUrl, params)) {
    throw new ForbiddenError("SIGNATURE_INVALID", "X-Twilio-Signature does not match this request");
  }
  const number = params[numberField] ?? params.To;
  if (number !== undefined && !config.phoneNumbers.includes(number)) {
    throw new ForbiddenError("PHONE_NUMBER_MISMATCH", "This request is for another number than the bot's");
  }
  return { resolved: { ...resolved, config }, params };
}

function formParams(body: unknown): TwilioParams {
  const params: TwilioParams = {};
  if (typeof body !== "object" || body === null) return params;
  for (const [key, value] of Object.entries(body)) params[key] = Array.isArray(value) ? String(value[0]) : String(value);
  return params;
}

/** The base URL Twilio should call back on: the operator's PUBLIC_URL, else the one this request came in on. */
export function callbackBase(request: PluginHttpRequest, resolved: ResolvedTwilio): string {
  return (resolved.publicUrl ?? new URL(request.publicUrl).origin).replace(/\/$/, "");
}
