import { ForbiddenError, ValidationError, type PluginHttpRequest, type PluginRouteContext, type PluginVerifyRequest, type ResolvedBotChannel } from "../../core/sdk/index.ts";
import { parse as parseForm } from "node:querystring";
import twilio from "twilio";
import { twilioConfigSchema, type TwilioConfig, type TwilioSettings } from "./twilio.channel.ts";

/** A bot's Twilio channel, as the platform's channel store hands it over (secrets opened). */
export type ResolvedTwilio = ResolvedBotChannel<TwilioConfig, TwilioSettings>;

/** Form fields as Twilio posts them (every value a string). */
export type TwilioParams = Record<string, string>;

async function resolveTwilio(botId: string | undefined, ctx: PluginRouteContext): Promise<ResolvedTwilio> {
  const resolved = await ctx.call<ResolvedTwilio>("channelConfig.resolve", { botId, channel: "twilio" });
  return { ...resolved, config: twilioConfigSchema.parse(resolved.config) };
}

const isJson = (type: string | undefined) => type === "application/json" || (type?.endsWith("+json") ?? false);

/**
 * Proves a webhook came from Twilio, before its body is parsed (the gateway calls this with the
 * exact text received): X-Twilio-Signature over the public URL (PUBLIC_URL when set, else the
 * address as the trusted proxies forward it) and the form parameters, with the bot's auth token.
 *
 * A JSON body is signed another way: the signature covers the URL, whose `bodySHA256` parameter is
 * the SHA-256 of the body, so the body is checked against that hash (the SDK's
 * validateRequestWithBody). A JSON body without it, or whose hash differs, is refused: the
 * signature alone says nothing about such a body. As in the SDK's own middleware, a URL that
 * carries `bodySHA256` is checked this way whatever the body's type.
 */
export async function verifyTwilioSignature(request: PluginVerifyRequest, ctx: PluginRouteContext): Promise<void> {
  const { config } = await resolveTwilio(request.params.botId, ctx);
  const signature = request.headers["x-twilio-signature"];
  if (!signature) throw new ForbiddenError("SIGNATURE_INVALID", "X-Twilio-Signature is required");
  const bodyHashed = request.query.bodySHA256 !== undefined;
  let valid: boolean;
  if (bodyHashed || isJson(request.contentType)) {
    valid = bodyHashed && twilio.validateRequestWithBody(config.authToken, signature, request.publicUrl, request.rawBody);
  } else if (request.contentType === undefined || request.contentType === "application/x-www-form-urlencoded") {
    // Flat key=value pairs (no nesting is read from field names), as Twilio signs them.
    valid = twilio.validateRequest(config.authToken, signature, request.publicUrl, { ...parseForm(request.rawBody) });
  } else {
    valid = false;
  }
  if (!valid) throw new ForbiddenError("SIGNATURE_INVALID", "X-Twilio-Signature does not match this request");
}

/**
 * A webhook whose signature the gateway has checked (`verifyTwilioSignature`, before the body was
 * parsed): the bot's configuration and the request's parameters. The number called must be one of
 * the bot's.
 */
export async function twilioRequest(request: PluginHttpRequest, ctx: PluginRouteContext, numberField: "To" | "From" | "Called" = "To"): Promise<{ resolved: ResolvedTwilio; params: TwilioParams }> {
  const resolved = await resolveTwilio(request.params.botId, ctx);
  const params = twilioParams(request.body);
  const number = params[numberField] ?? params.To;
  if (number !== undefined && !resolved.config.phoneNumbers.includes(number)) {
    throw new ForbiddenError("PHONE_NUMBER_MISMATCH", "This request is for another number than the bot's");
  }
  return { resolved, params };
}

/** The request's parameters: a form's fields, or a signed JSON object's top-level values (anything else is refused). */
function twilioParams(body: unknown): TwilioParams {
  const params: TwilioParams = {};
  if (body === undefined) return params;
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ValidationError("TWILIO_PARAMETERS_INVALID", "The body must be a form or a JSON object of Twilio's parameters");
  for (const [key, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string" || typeof first === "number" || typeof first === "boolean") params[key] = String(first);
  }
  return params;
}

/** The base URL Twilio should call back on: the operator's PUBLIC_URL, else the one this request came in on. */
export function callbackBase(request: PluginHttpRequest, resolved: ResolvedTwilio): string {
  return (resolved.publicUrl ?? new URL(request.publicUrl).origin).replace(/\/$/, "");
}
