import { ValidationError, type PluginHttpRequest, type PluginHttpResponse, type PluginRouteContext } from "../../core/sdk/index.ts";
import { messagingTwiml } from "./twilio-render.ts";
import { callbackBase, twilioRequest } from "./twilio-settings.ts";
import type { QueuedSms } from "./twilio-inbound.ts";

// The carrier keywords (CTIA): these are never conversation input.
const STOP_WORDS = new Set(["stop", "stopall", "unsubscribe", "cancel", "end", "quit"]);
const START_WORDS = new Set(["start", "unstop", "yes"]);
const HELP_WORDS = new Set(["help", "info"]);
const LEDGER = "twilio";

const twiml = (body: string): PluginHttpResponse => ({ status: 200, headers: { "content-type": "text/xml; charset=utf-8" }, body });

/**
 * An SMS from Twilio (its signature checked by the gateway before the body was parsed): the number
 * checked, STOP / START / HELP answered at once, and any other message queued durably and
 * acknowledged with an empty <Response/>. The turn runs from the queue (one user's messages in
 * order, redelivered if a node dies), its MessageSid claimed once in the ledger, so Twilio's own
 * retries of a webhook never run a turn twice; the reply goes out through the Messages API
 * (twilio-deliver.ts), however long the bot's model takes.
 */
export async function receiveSms(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { resolved, params } = await twilioRequest(request, ctx);
  const { botId, config } = resolved;
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
  if (!messageSid || !from) throw new ValidationError("SMS_INCOMPLETE", "An SMS webhook carries MessageSid and From");
  const sms: QueuedSms = {
    MessageSid: messageSid, From: from, To: params.To ?? config.phoneNumbers[0]!, Body: params.Body ?? "",
    StatusCallback: `${callbackBase(request, resolved)}/v1/channels/twilio/${botId}/sms/status`,
  };
  // One user's messages queue behind each other, so their turns run in the order they were sent.
  await ctx.call("channelConfig.enqueue", { target: "channelConfig.processInbound", key: `${botId}:${from}`, params: { channel: LEDGER, botId, payload: sms } });
  return twiml(messagingTwiml(undefined));
}

/** Twilio's delivery callbacks for messages sent through the REST API. */
export async function smsStatus(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  // On a message we sent, Twilio reports our number as From.
  const { resolved, params } = await twilioRequest(request, ctx, "From");
  const sid = params.MessageSid ?? params.SmsSid;
  if (sid && params.MessageStatus) {
    await ctx.call("channelConfig.updateStatus", { botId: resolved.botId, channel: LEDGER, vendorMessageId: sid, status: params.MessageStatus, ...(params.ErrorCode ? { error: `Twilio error ${params.ErrorCode}` } : {}) });
  }
  return { status: 204 };
}
