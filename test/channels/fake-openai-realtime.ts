import { encodeMulaw } from "../../channels/twilio/realtime/mulaw.ts";
import { startFakeWsServer, type FakeConnection } from "./fake-ws-realtime-server.ts";

/** 20 ms of a 440 Hz tone as μ-law 8 kHz, base64: what the fake "says". */
export function toneFrame(seed: number): string {
  const samples = Int16Array.from({ length: 160 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * (seed * 160 + i)) / 8000)));
  return encodeMulaw(samples).toString("base64");
}

/**
 * A local stand-in for the OpenAI Realtime API, speaking its WebSocket protocol at
 * `GET /v1/realtime?model=…`: it answers `session.update` with `session.updated`, and each
 * `response.create` with a spoken reply (`response.output_audio.delta` frames, the transcript,
 * and `response.done` with token usage). Tests script the rest (speech_started, tool calls)
 * through `connection.send`.
 */
export async function startFakeOpenAiRealtime(options: { replyFrames?: number } = {}) {
  let responses = 0;
  // A model the fake does not offer is refused once the socket is open, as the API does.
  const server = await startFakeWsServer((url) => url.pathname === "/v1/realtime" && url.searchParams.get("model") !== "gpt-realtime-retired", (connection) => {
    connection.send({ type: "session.created", event_id: "evt_0", session: { type: "realtime", model: connection.url.searchParams.get("model") } });
    let seen = 0;
    const poll = setInterval(() => {
      for (; seen < connection.received.length; seen++) {
        const event = connection.received[seen];
        if (event.type === "session.update") connection.send({ type: "session.updated", event_id: `evt_s${seen}`, session: event.session });
        if (event.type === "response.create") speak(connection, `item_${++responses}`, options.replyFrames ?? 3);
      }
    }, 5);
    void connection.closed.then(() => clearInterval(poll));
  });
  return { ...server, speak };
}

/** One spoken reply of `frames` 20 ms frames, as the Realtime API streams it. */
export function speak(connection: FakeConnection, itemId: string, frames: number): string[] {
  const responseId = `resp_${itemId}`;
  const payloads = Array.from({ length: frames }, (_, i) => toneFrame(i));
  connection.send({ type: "response.created", event_id: `evt_${itemId}_c`, response: { id: responseId, object: "realtime.response", status: "in_progress", output: [] } });
  payloads.forEach((delta, i) => connection.send({ type: "response.output_audio.delta", event_id: `evt_${itemId}_${i}`, response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta }));
  connection.send({ type: "response.output_audio_transcript.done", event_id: `evt_${itemId}_t`, response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, transcript: "Thanks for calling Acme." });
  connection.send({ type: "response.done", event_id: `evt_${itemId}_d`, response: { id: responseId, object: "realtime.response", status: "completed", output: [], usage: { total_tokens: 30, input_tokens: 20, output_tokens: 10, input_token_details: { cached_tokens: 5 } } } });
  return payloads;
}
