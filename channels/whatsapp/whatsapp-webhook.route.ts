import { createHmac, timingSafeEqual } from "node:crypto";
import { ForbiddenError, UnauthorizedError, ValidationError, type PluginHttpRequest, type PluginHttpResponse, type PluginRouteContext, type ResolvedBotChannel } from "../../core/sdk/index.ts";
import { createWhatsAppClient } from "./whatsapp-client.ts";
import { valuesOf, type WaPayload } from "./whatsapp-inbound.ts";
import type { WhatsAppConfig, WhatsAppSettings } from "./whatsapp.channel.ts";

type Resolved = ResolvedBotChannel<WhatsAppConfig, WhatsAppSettings>;

const resolve = (request: PluginHttpRequest, ctx: PluginRouteContext) => ctx.call<Resolved>("channelConfig.resolve", { botId: request.params.botId, channel: "whatsapp" });

/** Meta's subscription handshake: the challenge is echoed only to the holder of the verify token. */
export async function verifyWebhook(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { config, settings } = await resolve(request, ctx);
  const wa = createWhatsAppClient(config, settings.graphUrl);
  try {
    const challenge = wa.get({ "hub.mode": request.query["hub.mode"] as "subscribe", "hub.verify_token": request.query["hub.verify_token"], "hub.challenge": request.query["hub.challenge"] });
    return { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: challenge };
  } catch {
    throw new ForbiddenError("VERIFY_TOKEN_MISMATCH", "The verify token does not match this bot's WhatsApp configuration");
  }
}

/**
 * Meta's event POST: the signature over the exact raw body is checked with the app secret, the
 * number is checked against the bot's, and the payload goes to the durable queue. The answer comes
 * before any turn runs, so Meta never waits on a flow.
 */
export async function receiveWebhook(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { botId, config } = await resolve(request, ctx);
  const signature = request.headers["x-hub-signature-256"];
  if (!signature) throw new UnauthorizedError("SIGNATURE_MISSING", "X-Hub-Signature-256 is required");
  if (request.rawBody === undefined) throw new ValidationError("BODY_MISSING", "A JSON body is required");
  if (!signatureMatches(config.appSecret, request.rawBody, signature)) throw new UnauthorizedError("SIGNATURE_INVALID", "X-Hub-Signature-256 does not match the body");
  const payload = request.body as WaPayload;
  if (typeof payload !== "object" || payload === null || payload.object !== "whatsapp_business_account") {
    throw new ValidationError("EVENT_UNSUPPORTED", "Not a WhatsApp Business Account event");
  }
  const values = valuesOf(payload);
  if (values.some((v) => v.metadata?.phone_number_id !== config.phoneNumberId)) {
    throw new ForbiddenError("PHONE_NUMBER_MISMATCH", "This event is for another phone number than the bot's");
  }
  // One user's events queue behind each other, so their turns run in the order they were sent.
  const from = values.flatMap((v) => v.messages ?? []).map((m) => m.from)[0] ?? "statuses";
  await ctx.call("channelConfig.enqueue", { target: "channelConfig.processInbound", key: `${botId}:${from}`, params: { channel: "whatsapp", botId, payload } });
  return { status: 200, headers: { "content-type": "text/plain" }, body: "EVENT_RECEIVED" };
}

/**
 * Meta's signature: `sha256=` and the hex HMAC-SHA256 of the raw body with the app secret, over the
 * body with non-ASCII characters escaped as Meta escapes them (as whatsapp-api-js checks it).
 * Computed synchronously: the SDK's WebCrypto check costs two thread-pool round trips, each one a
 * wait behind whatever else the event loop has queued, on the path that must answer Meta at once.
 */
export function signatureMatches(appSecret: string, rawBody: string, header: string): boolean {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!given) return false;
  const escaped = rawBody.replace(/[^\0-~]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const expected = createHmac("sha256", appSecret).update(escaped).digest();
  return timingSafeEqual(expected, Buffer.from(given[1], "hex"));
}
