import type { PluginHttpRequest, PluginHttpResponse, PluginRouteContext } from "../../core/sdk/index.ts";
import { createTwilioRestClient } from "./twilio-rest.ts";
import { messagingTwiml, smsText } from "./twilio-render.ts";
import { callbackBase, verifiedTwilioRequest, type ResolvedTwilio } from "./twilio-settings.ts";

// The carrier keywords (CTIA): these are never conversation input.
const STOP_WORDS = new Set(["stop", "stopall", "unsubscribe", "cancel", "end", "quit"]);
const START_WORDS = new Set(["start", "unstop", "yes"]);
const HELP_WORDS = new Set(["help", "info"]);
const LEDGER = "twilio";

const twiml = (body: string): PluginHttpResponse => ({ status: 200, headers: { "content-type": "text/xml; charset=utf-8" }, body });

/**
 * An SMS from Twilio: signature and number checked, redeliveries of a MessageSid dropped, STOP /
 * START / HELP honoured, then one conversation turn whose reply goes back as TwiML or through the
 * Messages API (the bot's `smsReply`).
 */
export async function receiveSms(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { resolved, params } = await verifiedTwilioRequest(request, ctx);
  const { tenantId, botId, config } = resolved;
  const from = params.From ?? "";
  const userId = `sms:${from}`;
  const keyword = (params.Body ?? "").trim().toLowerCase();
  const who = { botId, channel: LEDGER, userId };

  if (STOP_WORDS.has(keyword)) {
    await ctx.call("channelConfig.setOptOut", { ...who, optedOut: true });
    return twiml(messagingTwiml({ body: "You are unsubscribed and will get no more messages. Reply START to subscribe again.", mediaUrls: [] }));
  }
  if (START_WORDS.has(keyword)) {
    await ctx.call("channelConfig.setOptOut", { ...who, optedOut: false });
    return twiml(messagingTwiml({ body: "You are subscribed again. Reply HELP for help, STOP to unsubscribe.", mediaUrls: [] }));
  }
  if (HELP_WORDS.has(keyword)) {
    return twiml(messagingTwiml({ body: `${config.helpText ?? "This is an automated assistant."} Reply STOP to unsubscribe.`, mediaUrls: [] }));
  }
  // An opted-out number gets no answer at all until it says START.
  if ((await ctx.call<{ optedOut: boolean }>("channelConfig.isOptedOut", who)).optedOut) return twiml(messagingTwiml(undefined));

  const messageSid = params.MessageSid ?? params.SmsSid;
  if (messageSid) {
    // Twilio retries a webhook that failed or timed out; the copy of a message already answered (or
    // being answered) gets an empty reply instead of a second turn.
    const { claimed } = await ctx.call<{ claimed: boolean }>("channelConfig.claimInbound", { tenantId, botId, channel: LEDGER, userId, vendorMessageId: messageSid });
    if (!claimed) return twiml(messagingTwiml(undefined));
  }
  let reply: { sessionId: string; messages: Parameters<typeof smsText>[0] };
  try {
    // `replyChannel`: a person answering this conversation later reaches the user through this plugin's `deliver`.
    reply = await ctx.call("channelConfig.turn", { tenantId, botId, channel: "sms", userId, text: params.Body ?? "", context: { replyChannel: "twilio" } });
  } catch (error) {
    if (messageSid) await ctx.call("channelConfig.releaseInbound", { channel: LEDGER, vendorMessageId: messageSid });
    throw error;
  }
  if (messageSid) await ctx.call("channelConfig.completeInbound", { channel: LEDGER, vendorMessageId: messageSid, sessionId: reply.sessionId });
  const text = smsText(reply.messages);
  if (config.smsReply === "twiml") return twiml(messagingTwiml(text));
  await sendThroughRest(ctx, resolved, request, { to: from, from: params.To ?? config.phoneNumbers[0], sessionId: reply.sessionId, userId, ...text });
  return twiml(messagingTwiml(undefined));
}

async function sendThroughRest(
  ctx: PluginRouteContext, resolved: ResolvedTwilio, request: PluginHttpRequest,
  message: { to: string; from: string; sessionId: string; userId: string; body: string; mediaUrls: string[] },
): Promise<void> {
  if (!message.body && message.mediaUrls.length === 0) return;
  const client = createTwilioRestClient(resolved.config, resolved.settings.apiUrl);
  const statusCallback = `${callbackBase(request, resolved)}/v1/channels/twilio/${resolved.botId}/sms/status`;
  const record = { tenantId: resolved.tenantId, botId: resolved.botId, sessionId: message.sessionId, channel: LEDGER, userId: message.userId };
  try {
    const sent = await client.messages.create({
      to: message.to, from: message.from, statusCallback,
      ...(message.body ? { body: message.body } : {}), ...(message.mediaUrls.length > 0 ? { mediaUrl: message.mediaUrls } : {}),
    });
    await ctx.call("channelConfig.recordOutbound", { ...record, vendorMessageId: sent.sid, status: sent.status ?? "queued" });
  } catch (error) {
    // The turn is committed; a failed send is recorded for the admin, not retried as a new turn.
    ctx.log("twilio send failed", { botId: resolved.botId, status: (error as { status?: number }).status });
    await ctx.call("channelConfig.recordOutbound", { ...record, vendorMessageId: `failed:${crypto.randomUUID()}`, status: "failed", error: `Twilio refused the message (${(error as { status?: number }).status ?? "no answer"})` });
  }
}

/** Twilio's delivery callbacks for messages sent through the REST API. */
export async function smsStatus(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  // On a message we sent, Twilio reports our number as From.
  const { resolved, params } = await verifiedTwilioRequest(request, ctx, "From");
  const sid = params.MessageSid ?? params.SmsSid;
  if (sid && params.MessageStatus) {
    await ctx.call("channelConfig.updateStatus", { botId: resolved.botId, channel: LEDGER, vendorMessageId: sid, status: params.MessageStatus, ...(params.ErrorCode ? { error: `Twilio error ${params.ErrorCode}` } : {}) });
  }
  return { status: 204 };
}
