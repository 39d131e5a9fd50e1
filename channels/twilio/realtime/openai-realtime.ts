/**
 * OpenAI Realtime over its WebSocket protocol. The SDK's own client (openai/realtime/ws) insists on
 * `wss:`, so a base URL pointing at a local server could not be used; this speaks the documented
 * events directly, typed by the SDK's event definitions. Twilio's μ-law passes through untouched:
 * the session takes and gives `audio/pcmu`.
 */
import type { RealtimeClientEvent, RealtimeServerEvent } from "openai/resources/realtime/realtime";
import { parseToolArguments } from "../../../core/sdk/index.ts";
import type { RealtimeEvents, RealtimeModel, RealtimeSetup } from "./realtime-model.ts";

const DEFAULT_BASE = "https://api.openai.com/v1";

export function realtimeUrl(baseUrl: string | undefined, model: string): URL {
  const url = new URL(baseUrl ?? DEFAULT_BASE);
  url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/realtime`;
  url.search = "";
  url.searchParams.set("model", model);
  return url;
}

/** Server events of the beta protocol some deployments still send, beside the GA names the SDK types. */
type LegacyEvent = { type: "response.audio.delta"; delta: string; item_id: string } | { type: "response.audio_transcript.done"; transcript: string };

export function connectOpenAiRealtime(setup: RealtimeSetup, events: RealtimeEvents): RealtimeModel {
  // Node's WebSocket (undici) takes `{ headers }` as its second argument; the DOM typings know only protocols.
  const init = { headers: { authorization: `Bearer ${setup.connection.apiKey}` } };
  const socket = new WebSocket(realtimeUrl(setup.connection.baseUrl, setup.model), init as unknown as string[]);
  const outbox: string[] = [];
  let closed = false;

  const send = (event: RealtimeClientEvent) => {
    const text = JSON.stringify(event);
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else if (socket.readyState === WebSocket.CONNECTING) outbox.push(text);
  };
  const finish = (reason: string) => {
    if (closed) return;
    closed = true;
    events.closed(reason);
  };

  send({
    type: "session.update",
    session: {
      type: "realtime",
      model: setup.model,
      instructions: setup.instructions,
      output_modalities: ["audio"],
      audio: {
        // The caller's words are transcribed for the call's history (the model hears the audio itself).
        input: { format: { type: "audio/pcmu" }, turn_detection: { type: "server_vad" }, transcription: { model: "gpt-4o-mini-transcribe" } },
        output: { format: { type: "audio/pcmu" }, ...(setup.voice ? { voice: setup.voice } : {}) },
      },
      tools: setup.tools.map((t) => ({ type: "function" as const, name: t.name, description: t.description, parameters: t.parameters })),
      tool_choice: "auto",
    },
  });
  // The bot answers the phone: it speaks first.
  send({ type: "response.create", response: { instructions: setup.greeting ? `Greet the caller by saying: "${setup.greeting}"` : "Greet the caller briefly and ask how you can help." } });

  socket.addEventListener("open", () => {
    for (const text of outbox.splice(0)) socket.send(text);
  });
  socket.addEventListener("close", (event) => finish(`closed ${event.code}`));
  socket.addEventListener("error", () => finish("connection failed"));
  socket.addEventListener("message", (message) => {
    let event: RealtimeServerEvent | LegacyEvent;
    try {
      event = JSON.parse(String(message.data)) as RealtimeServerEvent | LegacyEvent;
    } catch {
      return;
    }
    switch (event.type) {
      case "response.output_audio.delta":
      case "response.audio.delta":
        events.audio(event.delta, event.item_id);
        break;
      case "input_audio_buffer.speech_started":
        events.speechStarted();
        break;
      case "conversation.item.input_audio_transcription.completed":
        if (event.transcript.trim()) events.transcript({ role: "caller", text: event.transcript.trim() });
        break;
      case "response.output_audio_transcript.done":
      case "response.audio_transcript.done":
        if (event.transcript.trim()) events.transcript({ role: "bot", text: event.transcript.trim() });
        break;
      case "response.function_call_arguments.done":
        events.toolCall({ id: event.call_id, name: event.name, arguments: parseToolArguments(event.arguments) });
        break;
      case "response.done": {
        const usage = event.response.usage;
        if (usage) events.usage({ inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0, cachedTokens: usage.input_token_details?.cached_tokens ?? 0 });
        break;
      }
      case "error":
        // A vendor error (a bad tool schema, a rate limit) is reported; the session ends only when the socket closes.
        events.problem(`${event.error.type}${event.error.code ? ` ${event.error.code}` : ""}`);
        break;
    }
  });

  return {
    sendAudio: (payload) => send({ type: "input_audio_buffer.append", audio: payload }),
    toolResult(id, _name, output) {
      send({ type: "conversation.item.create", item: { type: "function_call_output", call_id: id, output } });
      send({ type: "response.create" });
    },
    interrupted(itemId, heardMs) {
      send({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: Math.max(0, Math.round(heardMs)) });
    },
    close() {
      closed = true;
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000);
    },
  };
}
