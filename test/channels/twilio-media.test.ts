import assert from "node:assert/strict";
import twilio from "twilio";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { decodeMulaw, mulaw8kToPcm16 } from "../../channels/twilio/realtime/mulaw.ts";
import { speakGemini, startFakeGeminiLive } from "./fake-gemini-realtime.ts";
import { speak, startFakeOpenAiRealtime, toneFrame } from "./fake-openai-realtime.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

const PUBLIC_URL = "https://bots.example.com";
const BOT_NUMBER = "+15005550006";
const CALLER = "+15551239876";
const accountSid = `AC${"b2".repeat(16)}`;
const authToken = "twilio-auth-token-for-media-tests";
const OPENAI_KEY = "sk-test-realtime-key";
const GEMINI_KEY = "gemini-test-realtime-key";

/** A Twilio media stream as recorded from a call: connected, start, 20 ms μ-law frames, marks, stop. */
function recordedStream(callSid: string, streamSid: string, customParameters: Record<string, string>) {
  let sequence = 0;
  const seq = () => String(++sequence);
  return {
    connected: () => ({ event: "connected", protocol: "Call", version: "1.0.0" }),
    start: () => ({
      event: "start", sequenceNumber: seq(), streamSid,
      start: { accountSid, streamSid, callSid, tracks: ["inbound"], mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 }, customParameters },
    }),
    media: (chunk: number) => ({ event: "media", sequenceNumber: seq(), streamSid, media: { track: "inbound", chunk: String(chunk), timestamp: String(chunk * 20), payload: toneFrame(100 + chunk) } }),
    mark: (name: string) => ({ event: "mark", sequenceNumber: seq(), streamSid, mark: { name } }),
    stop: () => ({ event: "stop", sequenceNumber: seq(), streamSid, stop: { accountSid, callSid } }),
  };
}

/** Plays Twilio's side of the media stream WebSocket. */
function twilioStreamClient(url: string) {
  const socket = new WebSocket(url);
  const received: any[] = [];
  const listeners = new Set<() => void>();
  socket.addEventListener("message", (event) => {
    received.push(JSON.parse(String(event.data)));
    for (const listener of [...listeners]) listener();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })));
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve());
    socket.addEventListener("error", () => reject(new Error("handshake refused")));
  });
  return {
    received, closed, opened,
    send: (message: object) => socket.send(JSON.stringify(message)),
    close: () => socket.close(),
    /** Waits until `count` received messages match. */
    until(match: (message: any) => boolean, count = 1, timeoutMs = 5000): Promise<any[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.filter(match);
          if (found.length < count) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => { listeners.delete(check); reject(new Error(`only ${received.filter(match).length} of ${count}; got ${received.map((m) => m.event).join(",")}`)); }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

describe("Twilio realtime voice over media streams", function () {
  this.timeout(30_000);
  let node: TestPlatform;
  let vendor: Awaited<ReturnType<typeof startFakeOpenAiRealtime>>;
  let gemini: Awaited<ReturnType<typeof startFakeGeminiLive>>;
  let acme: Tenant;
  let seq = 0;

  before(async () => {
    vendor = await startFakeOpenAiRealtime();
    gemini = await startFakeGeminiLive();
    node = await startTestPlatform({
      pluginFolders: ["plugins", "channels"],
      env: { PUBLIC_URL, OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: `${vendor.base}/v1`, GEMINI_API_KEY: GEMINI_KEY, GEMINI_BASE_URL: gemini.base },
    });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
  });
  after(async () => {
    await node?.cleanup();
    await vendor?.close();
    await gemini?.close();
  });

  async function botWith(body: Record<string, unknown>, twilioConfig = true): Promise<string> {
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: `Voice ${++seq}`, ...body } });
    assert.equal(bot.status, 201, bot.text);
    if (twilioConfig) {
      const put = await node.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/twilio`, { key: acme.keys.admin, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER] } });
      assert.equal(put.status, 200, put.text);
    }
    return bot.body.id;
  }

  /** Twilio's first webhook of a call, signed over the public URL. */
  function incomingCall(botId: string, callSid: string) {
    const path = `/v1/channels/twilio/${botId}/voice`;
    const params = { AccountSid: accountSid, CallSid: callSid, From: CALLER, To: BOT_NUMBER, CallStatus: "ringing", Direction: "inbound" };
    const signature = twilio.getExpectedTwilioSignature(authToken, PUBLIC_URL + path, params);
    return node.request("POST", path, { rawBody: new URLSearchParams(params).toString(), headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature } });
  }

  const streamParameters = (xml: string) => Object.fromEntries([...xml.matchAll(/<Parameter name="(\w+)" value="([^"]*)"\/>/g)].map((m) => [m[1], m[2]]));
  const mediaUrl = (botId: string) => `${node.url.replace(/^http/, "ws")}/v1/channels/twilio/${botId}/media`;
  /** The conversation a realtime call was recorded as (written once the call has ended). */
  async function callSession(callSid: string): Promise<string> {
    const sql = node.platform.context.db.orm.em.fork().getConnection();
    for (let attempt = 0; attempt < 50; attempt++) {
      const rows = await sql.execute<{ id: string }[]>(`select id from conversation_session where user_id = ?`, [`voice:${callSid}`]);
      if (rows[0]) return rows[0].id;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no conversation recorded for ${callSid}`);
  }
  const callSidOf = () => `CA${String(++seq).padStart(32, "0")}`;

  const realtimeBot = {
    config: {
      ai: { systemPrompt: "You are the phone assistant of Acme Outdoor.", greeting: "Thanks for calling Acme.", tools: ["knowledge"] },
      voice: { realtime: { provider: "openai", voice: "marin" } },
    },
  };

  it("answers the call with <Connect><Stream> only when the bot has a realtime voice model", async () => {
    const botId = await botWith(realtimeBot);
    const callSid = callSidOf();
    const answer = await incomingCall(botId, callSid);
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.text, new RegExp(`^<\\?xml[^>]*\\?><Response><Connect><Stream url="wss://bots\\.example\\.com/v1/channels/twilio/${botId}/media">`));
    const parameters = streamParameters(answer.text);
    assert.deepEqual(Object.keys(parameters).sort(), ["caller", "token"]);
    assert.equal(parameters.caller, CALLER);
    // Read only if the platform ends the stream (the model failed): the caller is told, then the call ends.
    assert.match(answer.text, /<\/Connect><Say>Sorry, the assistant cannot continue this call right now\. Please try again later\.<\/Say><Hangup\/><\/Response>$/);

    const plain = await botWith({ flow: exampleFlow });
    const turn = await incomingCall(plain, callSidOf());
    assert.match(turn.text, /<Gather[^>]*><Say>Hi! I'm the demo bot\.<\/Say>/);
    assert.doesNotMatch(turn.text, /<Connect>/);

    // A realtime bot still proves the webhook came from Twilio first.
    const forged = await node.request("POST", `/v1/channels/twilio/${botId}/voice`, { rawBody: new URLSearchParams({ CallSid: callSid, From: CALLER, To: BOT_NUMBER }).toString(), headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "bm9wZQ==" } });
    assert.equal(forged.status, 403);
  });

  it("bridges a recorded call to the realtime model: prompt and tools, audio both ways, barge-in, tool calls and usage", async () => {
    const botId = await botWith(realtimeBot);
    const doc = "# Returns\n\nYou can return any item within 30 days of delivery for a full refund.\n";
    const upload = await node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "returns-policy.md", contentBase64: Buffer.from(doc).toString("base64") } });
    assert.ok([200, 201].includes(upload.status), upload.text);
    const callSid = callSidOf();
    const streamSid = `MZ${"c3".repeat(16)}`;
    const parameters = streamParameters((await incomingCall(botId, callSid)).text);
    const call = recordedStream(callSid, streamSid, parameters);
    const before = vendor.connections.length;

    const client = twilioStreamClient(mediaUrl(botId));
    await client.opened;
    client.send(call.connected());
    client.send(call.start());
    const model = await vendor.connection(before);

    // The session carries the bot's prompt (after the platform's rules), its voice, μ-law both ways and its knowledge tool.
    assert.equal(model.headers.authorization, `Bearer ${OPENAI_KEY}`);
    assert.equal(model.url.searchParams.get("model"), "gpt-realtime");
    const update = await model.next((m) => m.type === "session.update");
    assert.match(update.session.instructions, /^You are a business's assistant[\s\S]*You are the phone assistant of Acme Outdoor\.[\s\S]*phone call/);
    assert.deepEqual(update.session.audio.input.format, { type: "audio/pcmu" });
    assert.deepEqual(update.session.audio.output, { format: { type: "audio/pcmu" }, voice: "marin" });
    assert.deepEqual(update.session.tools.map((t: { name: string }) => t.name), ["knowledge_search"]);
    const greeting = await model.next((m) => m.type === "response.create");
    assert.match(greeting.response.instructions, /Thanks for calling Acme\./);

    // The greeting's three audio deltas reach the caller as media frames on this stream, each followed by a mark.
    const played = await client.until((m) => m.event === "media", 3);
    assert.ok(played.every((m) => m.streamSid === streamSid));
    assert.deepEqual(played.map((m) => m.media.payload), [0, 1, 2].map(toneFrame));
    const marks = await client.until((m) => m.event === "mark", 3);

    // The caller's audio reaches the model byte for byte.
    for (let chunk = 1; chunk <= 10; chunk++) client.send(call.media(chunk));
    await model.next((m) => m.type === "input_audio_buffer.append" && m.audio === toneFrame(110));
    const appended = model.received.filter((m) => m.type === "input_audio_buffer.append").map((m) => m.audio);
    assert.deepEqual(appended, Array.from({ length: 10 }, (_, i) => toneFrame(101 + i)));

    // Speech once the greeting has played out (Twilio echoed its marks) clears nothing.
    for (const mark of marks) client.send(call.mark(mark.mark.name));
    await new Promise((resolve) => setTimeout(resolve, 100));
    model.send({ type: "input_audio_buffer.speech_started", event_id: "evt_vad1", audio_start_ms: 200, item_id: "item_in1" });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(client.received.filter((m) => m.event === "clear").length, 0);

    // The caller talks over a reply still queued at Twilio: the queue is cleared and the model told what was heard.
    speak(model, "item_long", 5);
    await client.until((m) => m.event === "media", 8);
    for (let chunk = 11; chunk <= 15; chunk++) client.send(call.media(chunk));
    await model.next((m) => m.type === "input_audio_buffer.append" && m.audio === toneFrame(115));
    model.send({ type: "input_audio_buffer.speech_started", event_id: "evt_vad2", audio_start_ms: 300, item_id: "item_in2" });
    const [clear] = await client.until((m) => m.event === "clear");
    assert.deepEqual(clear, { event: "clear", streamSid });
    const truncate = await model.next((m) => m.type === "conversation.item.truncate");
    assert.equal(truncate.item_id, "item_long");
    assert.equal(truncate.content_index, 0);
    // Five 20 ms frames sent, and 100 ms of the caller's clock passed since: all of it heard.
    assert.equal(truncate.audio_end_ms, 100);

    // The caller's words, as the model transcribed them.
    model.send({ type: "conversation.item.input_audio_transcription.completed", event_id: "evt_tr", item_id: "item_in2", content_index: 0, transcript: "How long do I have to return a tent?" });

    // A tool call runs against the bot's knowledge base and the answer goes back to the model.
    model.send({ type: "response.function_call_arguments.done", event_id: "evt_fc", response_id: "resp_x", item_id: "item_fc", output_index: 0, call_id: "call_returns", name: "knowledge_search", arguments: JSON.stringify({ query: "how long can I return an item" }) });
    const output = await model.next((m) => m.type === "conversation.item.create" && m.item?.call_id === "call_returns", 10_000);
    assert.equal(output.item.type, "function_call_output");
    assert.match(output.item.output, /within 30 days of delivery/);
    assert.match(output.item.output, /returns-policy\.md/);
    await model.next((m) => m.type === "response.create" && m !== greeting);

    // The call ends: Twilio's stop closes the model session, and the tokens are on the tenant's bill.
    client.send(call.stop());
    await model.closed;
    await client.closed;
    const usage = (await node.request("GET", "/v1/admin/usage", { key: acme.keys.admin })).body;
    const realtime = usage.byMonthAndModel.find((r: { provider: string }) => r.provider === "openai");
    assert.ok(realtime, JSON.stringify(usage));
    assert.equal(realtime.model, "gpt-realtime");

    // The call is kept as an ended voice conversation whose history is what both sides said.
    const sessionId = await callSession(callSid);
    const session = await node.request("GET", `/v1/chat/sessions/${sessionId}`, { key: acme.keys.widget });
    assert.deepEqual([session.body.status, session.body.channel, session.body.botId], ["ended", "voice", botId]);
    const history = await node.request("GET", `/v1/chat/sessions/${sessionId}/history`, { key: acme.keys.widget });
    const said = history.body.messages.map((m: { direction: string; message: { text: string } }) => `${m.direction}: ${m.message.text}`);
    assert.ok(said.includes("inbound: How long do I have to return a tent?"), said.join("\n"));
    assert.ok(said.filter((line: string) => line === "outbound: Thanks for calling Acme.").length >= 2, said.join("\n"));
  });

  it("refuses a media stream without a valid token for this bot and call, before reaching the model", async () => {
    const botId = await botWith(realtimeBot);
    const callSid = callSidOf();
    const { token } = streamParameters((await incomingCall(botId, callSid)).text);
    const before = vendor.connections.length;
    const attempt = async (path: string, callSidSent: string, parameters: Record<string, string>) => {
      const client = twilioStreamClient(path);
      await client.opened;
      const call = recordedStream(callSidSent, `MZ${"d4".repeat(16)}`, parameters);
      client.send(call.connected());
      client.send(call.start());
      client.send(call.media(1));
      return client.closed;
    };
    assert.equal((await attempt(mediaUrl(botId), callSid, {})).code, 1008);
    assert.equal((await attempt(mediaUrl(botId), callSid, { token: token.replace(/.$/, (c) => (c === "A" ? "B" : "A")) })).code, 1008);
    // A good token of one call does not open a stream for another call, nor another bot.
    assert.equal((await attempt(mediaUrl(botId), callSidOf(), { token })).code, 1008);
    const other = await botWith(realtimeBot);
    assert.equal((await attempt(mediaUrl(other), callSid, { token })).code, 1008);
    const unconfigured = await botWith(realtimeBot, false);
    assert.equal((await attempt(mediaUrl(unconfigured), callSid, { token })).code, 1008);
    assert.equal(vendor.connections.length, before);
    // A WebSocket to a path no channel serves is refused at the handshake.
    await assert.rejects(twilioStreamClient(`${node.url.replace(/^http/, "ws")}/v1/channels/twilio/${botId}/nothing`).opened, /handshake refused/);
  });

  it("ends the media stream when the model refuses the session, so Twilio reads on to the apology", async () => {
    const botId = await botWith({ config: { ai: { systemPrompt: "Be brief." }, voice: { realtime: { provider: "openai", model: "gpt-realtime-retired" } } } });
    const callSid = callSidOf();
    const call = recordedStream(callSid, `MZ${"f6".repeat(16)}`, streamParameters((await incomingCall(botId, callSid)).text));
    const client = twilioStreamClient(mediaUrl(botId));
    await client.opened;
    client.send(call.connected());
    client.send(call.start());
    client.send(call.media(1));
    const closed = await client.closed;
    assert.equal(closed.code, 1000);
    assert.equal(client.received.filter((m) => m.event === "media").length, 0);
  });

  it("bridges a call to Gemini Live: 16 kHz PCM to the model, its 24 kHz speech back as μ-law, interruptions and tool calls", async () => {
    const botId = await botWith({ config: { ai: { systemPrompt: "You are the phone assistant of Acme Outdoor.", greeting: "Thanks for calling Acme.", tools: ["knowledge"] }, voice: { realtime: { provider: "gemini", voice: "Puck" } } } });
    const callSid = callSidOf();
    const streamSid = `MZ${"e5".repeat(16)}`;
    const answer = await incomingCall(botId, callSid);
    assert.match(answer.text, /<Connect><Stream url="wss:\/\/bots\.example\.com\/v1\/channels\/twilio\/[\w-]+\/media">/);
    const call = recordedStream(callSid, streamSid, streamParameters(answer.text));
    const before = gemini.connections.length;
    const client = twilioStreamClient(mediaUrl(botId));
    await client.opened;
    client.send(call.connected());
    client.send(call.start());
    const model = await gemini.connection(before);

    assert.equal(model.url.searchParams.get("key"), GEMINI_KEY);
    const { setup } = await model.next((m) => m.setup);
    assert.equal(setup.model, "models/gemini-live-2.5-flash-preview");
    assert.deepEqual(setup.generationConfig.responseModalities, ["AUDIO"]);
    assert.equal(setup.generationConfig.speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName, "Puck");
    assert.match(setup.systemInstruction.parts[0].text, /You are the phone assistant of Acme Outdoor\.[\s\S]*phone call/);
    assert.deepEqual(setup.tools[0].functionDeclarations.map((f: { name: string }) => f.name), ["knowledge_search"]);
    const greeting = await model.next((m) => m.clientContent);
    assert.match(greeting.clientContent.turns[0].parts[0].text, /Thanks for calling Acme\./);

    // Three 20 ms chunks of 24 kHz speech become three 20 ms μ-law frames (160 bytes) carrying the tone.
    const frames = await client.until((m) => m.event === "media", 3);
    for (const frame of frames) {
      assert.equal(frame.streamSid, streamSid);
      const samples = decodeMulaw(Buffer.from(frame.media.payload, "base64"));
      assert.equal(samples.length, 160);
      assert.ok(samples.reduce((peak, v) => Math.max(peak, Math.abs(v)), 0) > 4000);
    }

    // Caller audio goes up as 16 kHz PCM16, 640 bytes a frame.
    for (let chunk = 1; chunk <= 5; chunk++) client.send(call.media(chunk));
    const audio = await model.next((m) => m.realtimeInput?.audio && Buffer.from(m.realtimeInput.audio.data, "base64").equals(mulaw8kToPcm16(Buffer.from(toneFrame(105), "base64"), 16000)));
    assert.equal(audio.realtimeInput.audio.mimeType, "audio/pcm;rate=16000");
    assert.equal(Buffer.from(audio.realtimeInput.audio.data, "base64").length, 640);

    // Gemini hears the caller over its reply and says it was interrupted: Twilio's queue is cleared.
    speakGemini(model, 4, false);
    await client.until((m) => m.event === "media", 7);
    model.send({ serverContent: { interrupted: true } });
    const [clear] = await client.until((m) => m.event === "clear");
    assert.deepEqual(clear, { event: "clear", streamSid });

    model.send({ toolCall: { functionCalls: [{ id: "fc_1", name: "knowledge_search", args: { query: "opening hours" } }] } });
    const { toolResponse } = await model.next((m) => m.toolResponse, 10_000);
    assert.deepEqual(toolResponse.functionResponses.map((r: { id: string; name: string }) => [r.id, r.name]), [["fc_1", "knowledge_search"]]);
    assert.equal(typeof toolResponse.functionResponses[0].response.output, "string");

    // Gemini streams transcription fragments; a turn's fragments make one line of the call's history.
    model.send({ serverContent: { inputTranscription: { text: "Are you open" } } });
    model.send({ serverContent: { inputTranscription: { text: " on Sunday?" } } });
    model.send({ serverContent: { turnComplete: true } });

    client.send(call.stop());
    await model.closed;
    await client.closed;
    const history = await node.request("GET", `/v1/chat/sessions/${await callSession(callSid)}/history`, { key: acme.keys.widget });
    const said = history.body.messages.map((m: { direction: string; message: { text: string } }) => `${m.direction}: ${m.message.text}`);
    assert.ok(said.includes("outbound: Thanks for calling Acme."), said.join("\n"));
    assert.ok(said.includes("inbound: Are you open on Sunday?"), said.join("\n"));
  });
});
