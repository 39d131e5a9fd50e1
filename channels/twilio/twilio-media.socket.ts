/**
 * Twilio Media Streams (`<Connect><Stream>`): the call's audio, both ways, bridged to the bot's
 * realtime voice model. Twilio sends `connected`, `start` (stream and call ids, our parameters),
 * `media` (base64 μ-law 8 kHz, 20 ms a frame), `mark` (a mark we sent has been played) and
 * `stop`; we send `media` and `mark` to play audio and `clear` to drop what is queued when the
 * caller talks over the bot (barge-in).
 *
 * The stream proves it belongs to the call our TwiML answered with the signed token that TwiML
 * carried (see realtime/stream-token.ts); without it the socket is closed before any model is
 * reached. When the call ends, what both sides said (the model's transcripts) is kept as the
 * call's conversation (`conversations.recordCall`).
 */
import type { PluginRouteContext, PluginSocket, PluginSocketRequest } from "../../core/sdk/index.ts";
import { connectGeminiLive } from "./realtime/gemini-live.ts";
import { connectOpenAiRealtime } from "./realtime/openai-realtime.ts";
import { realtimeSetupSchema, type RealtimeEvents, type RealtimeModel, type RealtimeSetup } from "./realtime/realtime-model.ts";
import { verifyStreamToken } from "./realtime/stream-token.ts";
import { type ResolvedTwilio } from "./twilio-settings.ts";
import { twilioConfigSchema } from "./twilio.channel.ts";

/** Twilio's inbound events, as far as the bridge reads them. */
type StreamEvent =
  | { event: "connected"; protocol?: string }
  | { event: "start"; streamSid: string; start: { streamSid: string; callSid: string; customParameters?: Record<string, string> } }
  | { event: "media"; streamSid: string; media: { track?: string; timestamp?: string; payload: string } }
  | { event: "mark"; streamSid: string; mark: { name: string } }
  | { event: "stop"; streamSid: string }
  | { event: "dtmf"; streamSid: string };

/** How long Twilio has to send `start` after opening the socket. */
const START_TIMEOUT_MS = 10_000;
/** Caller audio kept while the model connects (20 ms frames: five seconds). */
const MAX_EARLY_FRAMES = 250;
/** Transcript lines kept for the call's history. */
const MAX_TRANSCRIPT_LINES = 1000;

const SocketClose = { normal: 1000, refused: 1008, failed: 1011 } as const;

export function serveMediaStream(socket: PluginSocket, request: PluginSocketRequest, ctx: PluginRouteContext): void {
  const botId = request.params.botId ?? "";
  const opened = Date.now();
  let streamSid: string | undefined;
  let callSid = "";
  let caller: string | undefined;
  const transcript: { role: "caller" | "bot"; text: string; at: string }[] = [];
  let resolved: ResolvedTwilio | undefined;
  let setup: RealtimeSetup | undefined;
  let model: RealtimeModel | undefined;
  let ended = false;
  const early: string[] = [];
  const stats = { callerFrames: 0, botFrames: 0, bargeIns: 0, toolCalls: 0, transcriptLines: 0 };

  // Playback bookkeeping for barge-in: marks sent and not yet played back, and where the current
  // reply started on Twilio's clock (media timestamps, ms since the stream started).
  const unplayed: string[] = [];
  let marks = 0;
  let lastTimestamp = 0;
  let reply: { itemId: string; startedAt: number; sentMs: number } | undefined;

  const send = (message: Record<string, unknown>) => socket.send(JSON.stringify(message));
  const startTimer = setTimeout(() => refuse("no start event"), START_TIMEOUT_MS);

  function refuse(reason: string) {
    ctx.log("twilio media stream refused", { botId, reason });
    end(SocketClose.refused, reason);
  }

  function end(code: number, reason: string) {
    if (ended) return;
    ended = true;
    clearTimeout(startTimer);
    model?.close();
    socket.close(code, reason);
    if (setup && resolved) {
      ctx.log("twilio realtime call ended", {
        tenantId: resolved.tenantId, botId, callSid, provider: setup.provider, model: setup.model, reason,
        seconds: Math.round((Date.now() - opened) / 1000), ...stats,
      });
      const call = {
        tenantId: resolved.tenantId, botId, userId: `voice:${callSid}`, channel: "voice",
        startedAt: new Date(opened).toISOString(), endedAt: new Date().toISOString(),
        context: { callSid, provider: setup.provider, ...(caller ? { caller } : {}) }, lines: transcript,
      };
      ctx.call("conversations.recordCall", call).catch(() => ctx.log("realtime call transcript not recorded", { botId, callSid }));
    }
  }

  const events: RealtimeEvents = {
    audio(payload, itemId) {
      if (ended || !streamSid) return;
      if (reply?.itemId !== itemId) reply = { itemId, startedAt: lastTimestamp, sentMs: 0 };
      // μ-law at 8 kHz: eight bytes a millisecond.
      reply.sentMs += Buffer.byteLength(payload, "base64") / 8;
      stats.botFrames++;
      send({ event: "media", streamSid, media: { payload } });
      const name = `bot-${++marks}`;
      unplayed.push(name);
      send({ event: "mark", streamSid, mark: { name } });
    },
    speechStarted() {
      // Only audio Twilio still holds needs dropping; a reply already played out is left alone.
      if (ended || !streamSid || unplayed.length === 0) return;
      stats.bargeIns++;
      send({ event: "clear", streamSid });
      // Heard: the time on Twilio's clock since the reply began, never more than was sent.
      if (reply) model?.interrupted(reply.itemId, Math.min(reply.sentMs, lastTimestamp - reply.startedAt));
      unplayed.length = 0;
      reply = undefined;
    },
    transcript(line) {
      // Kept for the call's history, never logged: they are the caller's words.
      stats.transcriptLines++;
      if (transcript.length < MAX_TRANSCRIPT_LINES) transcript.push({ ...line, at: new Date().toISOString() });
    },
    toolCall(call) {
      if (!resolved) return;
      stats.toolCalls++;
      const { tenantId } = resolved;
      ctx.call<{ ok: boolean; text: string }>("ai.realtimeTool", { tenantId, botId, name: call.name, arguments: call.arguments })
        .catch(() => ({ ok: false, text: "The tool is not available right now." }))
        .then((result) => model?.toolResult(call.id, call.name, result.ok ? result.text : `Error: ${result.text}`));
    },
    usage(usage) {
      if (!resolved || !setup) return;
      ctx.call("ai.realtimeUsage", { tenantId: resolved.tenantId, botId, provider: setup.provider, model: setup.model, usage })
        .catch(() => ctx.log("realtime usage not recorded", { botId, callSid }));
    },
    problem(message) {
      ctx.log("realtime model reported a problem", { botId, callSid, problem: message });
    },
    closed(reason) {
      // Without its model the stream is over; Twilio goes on with the TwiML after <Connect>.
      end(SocketClose.normal, `model ${reason}`);
    },
  };

  async function start(event: Extract<StreamEvent, { event: "start" }>) {
    clearTimeout(startTimer);
    callSid = event.start.callSid;
    caller = event.start.customParameters?.caller;
    try {
      const found = await ctx.call<ResolvedTwilio>("channelConfig.resolve", { botId, channel: "twilio" });
      resolved = { ...found, config: twilioConfigSchema.parse(found.config) };
    } catch {
      return refuse("no twilio configuration for this bot");
    }
    if (!verifyStreamToken(resolved.config.authToken, event.start.customParameters?.token, botId, callSid)) return refuse("stream token invalid");
    streamSid = event.start.streamSid ?? event.streamSid;
    try {
      setup = realtimeSetupSchema.parse(await ctx.call("ai.realtimeSession", { tenantId: resolved.tenantId, botId }));
      const connected = setup.provider === "openai" ? connectOpenAiRealtime(setup, events) : await connectGeminiLive(setup, events);
      if (ended) return connected.close();
      model = connected;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      ctx.log("realtime voice model unavailable", { botId, callSid, code: typeof code === "string" ? code : undefined });
      return end(SocketClose.failed, "model unavailable");
    }
    ctx.log("twilio realtime call started", { tenantId: resolved.tenantId, botId, callSid, provider: setup.provider, model: setup.model });
    for (const payload of early.splice(0)) model.sendAudio(payload);
  }

  socket.onMessage((text) => {
    if (ended) return;
    let event: StreamEvent;
    try {
      event = JSON.parse(text) as StreamEvent;
    } catch {
      return;
    }
    switch (event.event) {
      case "start":
        if (resolved || callSid) return;
        void start(event).catch(() => end(SocketClose.failed, "start failed"));
        break;
      case "media": {
        if (event.media.track && event.media.track !== "inbound") return;
        const timestamp = Number(event.media.timestamp);
        if (Number.isFinite(timestamp)) lastTimestamp = timestamp;
        stats.callerFrames++;
        if (model) model.sendAudio(event.media.payload);
        else if (callSid && early.length < MAX_EARLY_FRAMES) early.push(event.media.payload);
        break;
      }
      case "mark": {
        // Twilio plays in order: a played mark means everything before it was played too.
        const at = unplayed.indexOf(event.mark.name);
        if (at >= 0) unplayed.splice(0, at + 1);
        break;
      }
      case "stop":
        end(SocketClose.normal, "call ended");
        break;
    }
  });
  socket.onClose(() => end(SocketClose.normal, "socket closed"));
}
