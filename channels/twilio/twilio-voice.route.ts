import type { InputRequest, OutboundMessage, PluginHttpRequest, PluginHttpResponse, PluginRouteContext } from "../../core/sdk/index.ts";
import { mintStreamToken } from "./realtime/stream-token.ts";
import { mediaStreamTwiml, voiceTwiml } from "./twilio-render.ts";
import { callbackBase, verifiedTwilioRequest } from "./twilio-settings.ts";
import { callTwiml, type CallState } from "./twilio-hold.route.ts";

const LEDGER = "twilio";
// Silent turns in a row before the call is ended, so an open line does not loop forever.
const MAX_SILENCES = 2;

/**
 * A phone call, one webhook per turn: the first request starts the conversation, each <Gather>
 * result (speech, or a digit for a choice) is the next message, and the call hangs up when the
 * flow ends. The call is the session: its CallSid names the user.
 *
 * A bot with a realtime voice model (`config.voice.realtime`, and the platform holding that
 * provider's key) is answered once, with <Connect><Stream>: the call's audio goes both ways over
 * the media stream WebSocket (twilio-media.socket.ts), with a signed token for that call only.
 */
export async function receiveVoice(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { resolved, params } = await verifiedTwilioRequest(request, ctx);
  const { tenantId, botId } = resolved;
  const callSid = params.CallSid ?? "";
  const heard = params.Digits ?? params.SpeechResult;
  const silences = heard === undefined ? Number(request.query.silence ?? 0) : 0;
  if (heard === undefined && request.query.silence === undefined) {
    const realtime = await ctx.call<{ provider: string } | null>("ai.realtimePlan", { tenantId, botId });
    if (realtime) {
      const base = callbackBase(request, resolved);
      const streamUrl = `${base.replace(/^http/, "ws")}/v1/channels/twilio/${botId}/media`;
      const body = mediaStreamTwiml(streamUrl, { token: mintStreamToken(resolved.config.authToken, botId, callSid), ...(params.From ? { caller: params.From } : {}) });
      return { status: 200, headers: { "content-type": "text/xml; charset=utf-8" }, body };
    }
  }
  // `replyChannel`: a person answering this conversation reaches the caller through this plugin's `deliver` (the hold loop).
  const reply = await ctx.call<{ sessionId: string; messages: OutboundMessage[]; input: InputRequest | null; status: string; revision: number; started: boolean }>("channelConfig.turn", {
    tenantId, botId, channel: "voice", userId: `voice:${callSid}`, text: heard ?? "", context: { callSid, caller: params.From, replyChannel: "twilio" },
  });
  if (reply.status === "waiting_human") {
    // Handed to people: the caller hears the bot's words and is held on the line (see twilio-hold.route.ts).
    const state: CallState = { sessionId: reply.sessionId, status: reply.status, input: null, revision: reply.revision, messages: reply.messages };
    return { status: 200, headers: { "content-type": "text/xml; charset=utf-8" }, body: callTwiml(state, request, resolved, 0, params.To) };
  }
  const voiceUrl = `${callbackBase(request, resolved)}/v1/channels/twilio/${botId}/voice`;
  const silenceUrl = silences < MAX_SILENCES ? `${voiceUrl}?silence=${silences + 1}` : undefined;
  const body = voiceTwiml({ messages: reply.messages, input: reply.input, ended: reply.status === "ended" }, voiceUrl, silenceUrl);
  return { status: 200, headers: { "content-type": "text/xml; charset=utf-8" }, body };
}

/** Call progress callbacks (ringing, in-progress, completed, busy…), kept in the channel's message log. */
export async function voiceStatus(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { resolved, params } = await verifiedTwilioRequest(request, ctx);
  const callSid = params.CallSid;
  if (callSid && params.CallStatus) {
    const change = { botId: resolved.botId, channel: LEDGER, vendorMessageId: callSid, status: params.CallStatus, ...(params.ErrorCode ? { error: `Twilio error ${params.ErrorCode}` } : {}) };
    const { updated } = await ctx.call<{ updated: boolean }>("channelConfig.updateStatus", change);
    if (!updated) await ctx.call("channelConfig.recordOutbound", { ...change, tenantId: resolved.tenantId, sessionId: null, userId: `voice:${params.From ?? ""}` });
    if (CALL_OVER.has(params.CallStatus)) await endWaitingConversation(ctx, resolved.tenantId, resolved.botId, callSid);
  }
  return { status: 204 };
}

const CALL_OVER = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

/**
 * A caller who hangs up while waiting for a person cannot be answered any more: the conversation
 * ends, so the inbox stops offering it. (A conversation the bot has ends with the session sweep.)
 */
async function endWaitingConversation(ctx: PluginRouteContext, tenantId: string, botId: string, callSid: string): Promise<void> {
  const state = await ctx.call<CallState>("channelConfig.saidSince", { tenantId, botId, channel: "voice", userId: `voice:${callSid}`, after: Number.MAX_SAFE_INTEGER });
  if (state.sessionId === null || state.status !== "waiting_human") return;
  await ctx.call("conversations.end", { tenantId, sessionId: state.sessionId }).catch((error: unknown) => {
    // Closed by an agent at the same moment: it is over either way.
    ctx.log("a hung-up call's conversation could not be ended", { botId, error: error instanceof Error ? error.message : String(error) });
  });
}
