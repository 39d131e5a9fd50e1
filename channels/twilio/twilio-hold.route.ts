import type { InputRequest, OutboundMessage, PluginHttpRequest, PluginHttpResponse, PluginRouteContext } from "../../core/sdk/index.ts";
import { holdTwiml, transferTwiml, voiceTwiml } from "./twilio-render.ts";
import { callbackBase, verifiedTwilioRequest, type ResolvedTwilio } from "./twilio-settings.ts";

/** A call's conversation as the platform's `channelConfig.saidSince` reports it. */
export type CallState = { sessionId: string | null; status: string | null; input: InputRequest | null; revision: number; messages: OutboundMessage[] };

// Loops of silence on hold before the caller is told to stay on (about forty seconds).
const REASSURE_EVERY = 6;
const xml = (body: string): PluginHttpResponse => ({ status: 200, headers: { "content-type": "text/xml; charset=utf-8" }, body });

/** Where Twilio calls back for a call: the turn webhook, and the hold loop at a cursor. */
export function callUrls(request: PluginHttpRequest, resolved: ResolvedTwilio) {
  const voice = `${callbackBase(request, resolved)}/v1/channels/twilio/${resolved.botId}/voice`;
  return { voice, hold: (after: number, held: number) => `${voice}/hold?after=${after}&held=${held}` };
}

/**
 * What a call hears next, from its conversation's state: waiting for a person, the hold loop (or
 * the transfer number); the bot has it again, its question with a <Gather> back to the turn
 * webhook; ended, the last words and a hang-up.
 */
export function callTwiml(state: CallState, request: PluginHttpRequest, resolved: ResolvedTwilio, held: number, calledNumber: string | undefined): string {
  const urls = callUrls(request, resolved);
  if (state.status === "waiting_human") {
    const transfer = resolved.config.handoff?.transferNumber;
    if (transfer) return transferTwiml(state.messages, transfer, calledNumber);
    return holdTwiml(state.messages, urls.hold(state.revision, held + 1), held > 0 && held % REASSURE_EVERY === 0);
  }
  const ended = state.status !== "active";
  return voiceTwiml({ messages: state.messages, input: ended ? null : state.input, ended }, urls.voice, `${urls.voice}?silence=1`);
}

/**
 * The hold loop of a call handed to people. Each loop speaks what was said to the caller since the
 * revision in `after` (agents' replies; the bot's words once it has the call back; the closing
 * message), and passes on what the caller said: while people hold the conversation the platform
 * records it for them and the bot does not answer it. The conversation's history is the queue, so
 * any node answers any loop.
 */
export async function holdVoice(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const { resolved, params } = await verifiedTwilioRequest(request, ctx);
  const { tenantId, botId } = resolved;
  const who = { tenantId, botId, channel: "voice", userId: `voice:${params.CallSid ?? ""}` };
  const after = counter(request.query.after);
  const held = counter(request.query.held);
  let state = await ctx.call<CallState>("channelConfig.saidSince", { ...who, after });
  const heard = (params.SpeechResult ?? params.Digits ?? "").trim();
  // Said after the conversation ended (or on a call we never answered): nothing to pass on, and no new conversation.
  if (heard && state.sessionId !== null && state.status !== "ended") {
    try {
      await ctx.call("channelConfig.turn", { ...who, text: heard });
    } catch (error) {
      // Refused (the caller's message rate, the tenant's quota) or failed: the words are lost, but an
      // error answer would make Twilio drop the call, and the person is still coming.
      ctx.log("a held caller's words could not be passed on", { botId, error: error instanceof Error ? error.message : String(error) });
    }
    state = await ctx.call<CallState>("channelConfig.saidSince", { ...who, after });
  }
  if (state.sessionId === null) return xml(voiceTwiml({ messages: [], input: null, ended: true }, "", undefined));
  return xml(callTwiml(state, request, resolved, held, params.To));
}

/** A non-negative integer from the query (Twilio echoes our own URL back; anything else counts as 0). */
function counter(value: string | undefined): number {
  const n = Number(value ?? 0);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
