import type { InputRequest, OutboundMessage, PluginHttpRequest, PluginHttpResponse, PluginRouteContext } from "../../core/sdk/index.ts";
import { mintStreamToken } from "./realtime/stream-token.ts";
import { mediaStreamTwiml, voiceTwiml } from "./twilio-render.ts";
import { callbackBase, twilioRequest } from "./twilio-settings.ts";

const LEDGER = "twilio";
// Silent turns in a row before the call is ended, so an open line does not loop forever.
const MAX_SILENCES = 2;

/**
 * A phone call, one webhook per turn (each one's signature checked by the gateway before its body
 * was parsed): the first request starts the conversation, each <Gather>
 * result (speech, or a digit for a choice) is the next message, and the call hangs up when the
 * flow ends. The call is the session: its CallSid names the user.
 *
 * A bot with a realtime voice model (`config.voice.realtime`, and the platform holding that
 * provider's key) is answered once, with <Connect><Stream>: the call's audio goes both ways over
 * the media stream WebSocket (twilio-media.socket.ts), with a signed token for that call only.
 */
export async function receiveVoice(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { resolved, params } = await twilioRequest(request, ctx);
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
  const reply = await ctx.call<{ messages: OutboundMessage[]; input: InputRequest | null; status: string; started: boolean }>("channelConfig.turn", {
    tenantId, botId, channel: "voice", userId: `voice:${callSid}`, text: heard ?? "", context: { callSid, caller: params.From },
  });
  const voiceUrl = `${callbackBase(request, resolved)}/v1/channels/twilio/${botId}/voice`;
  const silenceUrl = silences < MAX_SILENCES ? `${voiceUrl}?silence=${silences + 1}` : undefined;
  const body = voiceTwiml({ messages: reply.messages, input: reply.input, ended: reply.status === "ended" }, voiceUrl, silenceUrl);
  return { status: 200, headers: { "content-type": "text/xml; charset=utf-8" }, body };
}

/** Call progress callbacks (ringing, in-progress, completed, busy…), kept in the channel's message log. */
export async function voiceStatus(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { resolved, params } = await twilioRequest(request, ctx);
  const callSid = params.CallSid;
  if (callSid && params.CallStatus) {
    const change = { botId: resolved.botId, channel: LEDGER, vendorMessageId: callSid, status: params.CallStatus, ...(params.ErrorCode ? { error: `Twilio error ${params.ErrorCode}` } : {}) };
    const { updated } = await ctx.call<{ updated: boolean }>("channelConfig.updateStatus", change);
    if (!updated) await ctx.call("channelConfig.recordOutbound", { ...change, tenantId: resolved.tenantId, sessionId: null, userId: `voice:${params.From ?? ""}` });
  }
  return { status: 204 };
}
