import { startFakeWsServer, type FakeConnection } from "./fake-ws-realtime-server.ts";

/** `ms` of a 440 Hz tone as 24 kHz PCM16 (little-endian), base64: what Gemini Live "says". */
export function pcm24kTone(ms: number): string {
  const samples = Int16Array.from({ length: (24000 * ms) / 1000 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 24000)));
  return Buffer.from(samples.buffer).toString("base64");
}

/**
 * A local stand-in for the Gemini Live API (BidiGenerateContent over WebSocket, as @google/genai
 * speaks it): the first message is `setup`, answered with `setupComplete`; each complete client
 * turn (the greeting) is answered with a spoken model turn of 24 kHz PCM16 and its transcription.
 * Tests script interruptions and tool calls through `connection.send`.
 */
export async function startFakeGeminiLive() {
  const server = await startFakeWsServer((url) => url.pathname.endsWith("GenerativeService.BidiGenerateContent"), (connection) => {
    let seen = 0;
    const poll = setInterval(() => {
      for (; seen < connection.received.length; seen++) {
        const message = connection.received[seen];
        if (message.setup) connection.send({ setupComplete: {} });
        if (message.clientContent?.turnComplete) speakGemini(connection, 3);
      }
    }, 5);
    void connection.closed.then(() => clearInterval(poll));
  });
  return server;
}

/** One spoken model turn of `chunks` 20 ms chunks, then its transcription and the turn's end. */
export function speakGemini(connection: FakeConnection, chunks: number, complete = true): void {
  for (let i = 0; i < chunks; i++) connection.send({ serverContent: { modelTurn: { role: "model", parts: [{ inlineData: { mimeType: "audio/pcm;rate=24000", data: pcm24kTone(20) } }] } } });
  if (!complete) return;
  connection.send({ serverContent: { outputTranscription: { text: "Thanks for calling Acme." } } });
  connection.send({ serverContent: { generationComplete: true } });
  connection.send({ serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 40, responseTokenCount: 12, totalTokenCount: 52 } });
}
