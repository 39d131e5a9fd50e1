/**
 * What the media stream bridge needs from a speech-to-speech model, whichever vendor: caller
 * audio in, bot audio out (both base64 μ-law 8 kHz, Twilio's format), barge-in, transcripts, tool
 * calls and token usage. One file per vendor implements it.
 */
/** What `ai.realtimeSession` answers: declared with the AI contract in the SDK. */
export { realtimeSetupSchema, type RealtimeSetup } from "../../../core/sdk/index.ts";

export type RealtimeUsage = { inputTokens: number; outputTokens: number; cachedTokens: number };

export type RealtimeEvents = {
  /** Bot speech for the caller: base64 μ-law 8 kHz, and the vendor's id of the reply it belongs to. */
  audio(payload: string, itemId: string): void;
  /** The caller started talking over the bot: drop what is queued for playback. */
  speechStarted(): void;
  transcript(line: { role: "caller" | "bot"; text: string }): void;
  toolCall(call: { id: string; name: string; arguments: Record<string, unknown> }): void;
  usage(usage: RealtimeUsage): void;
  /** Something the vendor reported that does not end the session (its error type, never content). */
  problem(message: string): void;
  /** The vendor's session ended or failed; the call cannot go on with it. */
  closed(reason: string): void;
};

export type RealtimeModel = {
  /** Caller audio: base64 μ-law 8 kHz, as Twilio sends it. */
  sendAudio(payload: string): void;
  toolResult(id: string, name: string, output: string): void;
  /** After barge-in: how much of the reply `itemId` the caller actually heard. */
  interrupted(itemId: string, heardMs: number): void;
  close(): void;
};
