/**
 * Gemini Live through @google/genai (`ai.live.connect`); the client's `httpOptions.baseUrl` also
 * moves its WebSocket, so GEMINI_BASE_URL reaches a local server too. Gemini hears 16 kHz PCM16
 * and speaks 24 kHz PCM16: caller audio is decoded from μ-law and upsampled, bot audio
 * downsampled and encoded. Gemini detects barge-in itself and says so (`interrupted`).
 */
import { GoogleGenAI, Modality, type LiveServerMessage, type Session } from "@google/genai";
import { mulaw8kToPcm16, pcm16ToMulaw8k } from "./mulaw.ts";
import type { RealtimeEvents, RealtimeModel, RealtimeSetup } from "./realtime-model.ts";

const INPUT_RATE = 16000;

function rateOf(mimeType: string | undefined): number {
  const rate = /rate=(\d+)/.exec(mimeType ?? "")?.[1];
  return rate ? Number(rate) : 24000;
}

export async function connectGeminiLive(setup: RealtimeSetup, events: RealtimeEvents): Promise<RealtimeModel> {
  const ai = new GoogleGenAI({ apiKey: setup.connection.apiKey, ...(setup.connection.baseUrl ? { httpOptions: { baseUrl: setup.connection.baseUrl } } : {}) });
  let closed = false;
  let turn = 0;
  const heard = { caller: "", bot: "" };
  const finish = (reason: string) => {
    if (closed) return;
    closed = true;
    events.closed(reason);
  };
  const flushTranscripts = () => {
    if (heard.caller.trim()) events.transcript({ role: "caller", text: heard.caller.trim() });
    if (heard.bot.trim()) events.transcript({ role: "bot", text: heard.bot.trim() });
    heard.caller = "";
    heard.bot = "";
  };

  const onMessage = (message: LiveServerMessage) => {
    const content = message.serverContent;
    if (content?.interrupted) events.speechStarted();
    for (const part of content?.modelTurn?.parts ?? []) {
      const audio = part.inlineData;
      if (audio?.data && audio.mimeType?.startsWith("audio/pcm")) {
        events.audio(pcm16ToMulaw8k(Buffer.from(audio.data, "base64"), rateOf(audio.mimeType)).toString("base64"), `turn-${turn}`);
      }
    }
    if (content?.inputTranscription?.text) heard.caller += content.inputTranscription.text;
    if (content?.outputTranscription?.text) heard.bot += content.outputTranscription.text;
    if (content?.turnComplete) {
      flushTranscripts();
      turn++;
    }
    for (const call of message.toolCall?.functionCalls ?? []) {
      if (call.name) events.toolCall({ id: call.id ?? call.name, name: call.name, arguments: call.args ?? {} });
    }
    const usage = message.usageMetadata;
    if (usage && content?.turnComplete) {
      events.usage({ inputTokens: usage.promptTokenCount ?? 0, outputTokens: usage.responseTokenCount ?? 0, cachedTokens: usage.cachedContentTokenCount ?? 0 });
    }
  };

  let session: Session;
  try {
    session = await ai.live.connect({
      model: setup.model,
      config: {
        responseModalities: [Modality.AUDIO],
        systemInstruction: setup.instructions,
        ...(setup.voice ? { speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: setup.voice } } } } : {}),
        ...(setup.tools.length > 0 ? { tools: [{ functionDeclarations: setup.tools.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.parameters })) }] } : {}),
        // Both sides transcribed, for the call's history.
        inputAudioTranscription: {},
        outputAudioTranscription: {},
      },
      callbacks: {
        onmessage: onMessage,
        onerror: () => finish("connection failed"),
        onclose: (event) => { flushTranscripts(); finish(`closed ${event.code}`); },
      },
    });
  } catch (error) {
    closed = true;
    throw error;
  }
  // The bot answers the phone: it speaks first.
  session.sendClientContent({
    turns: [{ role: "user", parts: [{ text: setup.greeting ? `(The caller has just connected. Greet them by saying: "${setup.greeting}")` : "(The caller has just connected. Greet them briefly and ask how you can help.)" }] }],
    turnComplete: true,
  });

  return {
    sendAudio(payload) {
      if (closed) return;
      session.sendRealtimeInput({ audio: { data: mulaw8kToPcm16(Buffer.from(payload, "base64"), INPUT_RATE).toString("base64"), mimeType: `audio/pcm;rate=${INPUT_RATE}` } });
    },
    toolResult(id, name, output) {
      if (closed) return;
      session.sendToolResponse({ functionResponses: [{ id, name, response: { output } }] });
    },
    // Gemini keeps its own account of what was played when it reports an interruption.
    interrupted() {},
    close() {
      if (closed) return;
      closed = true;
      // The call is ending: what was said in the unfinished turn still belongs to its history.
      flushTranscripts();
      session.close();
    },
  };
}
