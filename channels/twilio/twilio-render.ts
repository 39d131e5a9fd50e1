import twilio from "twilio";
import type { InputRequest, OutboundMessage } from "../../core/sdk/index.ts";

type Choice = { label: string; value: string };

/** An SMS shows no buttons: choices become a numbered list the user answers by number or label. */
export function smsText(messages: readonly OutboundMessage[]): { body: string; mediaUrls: string[] } {
  const parts: string[] = [];
  const mediaUrls: string[] = [];
  for (const message of messages) {
    if (message.type === "text") parts.push(message.text);
    else if (message.type === "image") {
      mediaUrls.push(message.url);
      if (message.alt) parts.push(message.alt);
    } else parts.push(numbered(message.text, message.buttons));
  }
  return { body: parts.join("\n\n"), mediaUrls };
}

function numbered(text: string, choices: readonly Choice[]): string {
  return `${text}\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n")}\nReply with a number.`;
}

export function messagingTwiml(reply: { body: string; mediaUrls: string[] } | undefined): string {
  const response = new twilio.twiml.MessagingResponse();
  if (reply && (reply.body || reply.mediaUrls.length > 0)) {
    const message = response.message({}, "");
    if (reply.body) message.body(reply.body);
    for (const url of reply.mediaUrls) message.media(url);
  }
  return response.toString();
}

/**
 * One voice turn as TwiML: every message is spoken; a question gathers speech or keypresses (a
 * choice is a digit), and when nothing is heard the call comes back to ask again; the end of the
 * conversation hangs up.
 */
export function voiceTwiml(turn: { messages: readonly OutboundMessage[]; input: InputRequest | null | undefined; ended: boolean }, actionUrl: string, silenceUrl: string | undefined): string {
  const response = new twilio.twiml.VoiceResponse();
  const spoken = spokenOf(turn.messages);
  if (turn.ended || !turn.input) {
    for (const text of spoken) response.say(text);
    response.hangup();
    return response.toString();
  }
  const choices = turn.input.type === "choice" ? turn.input.choices ?? [] : [];
  // Everything is said inside <Gather>, so a caller who knows the answer may speak or press over it.
  const gather = response.gather({
    input: ["speech", "dtmf"],
    action: actionUrl,
    method: "POST",
    timeout: 6,
    speechTimeout: "auto",
    ...(choices.length > 0 && choices.length <= 9 ? { numDigits: 1 } : {}),
    ...(turn.input.type === "number" || turn.input.type === "phone" ? { finishOnKey: "#" } : {}),
  });
  for (const text of spoken) gather.say(text);
  if (choices.length > 0) gather.say(choices.map((c, i) => `For ${c.label}, press ${i + 1}.`).join(" "));
  // Nothing heard: come back without an answer and the flow asks again, a bounded number of times.
  if (silenceUrl) response.redirect({ method: "POST" }, silenceUrl);
  else response.hangup();
  return response.toString();
}

/** What a call says aloud of the messages: text, button prompts, an image's description. */
function spokenOf(messages: readonly OutboundMessage[]): string[] {
  return messages.map((m) => (m.type === "image" ? m.alt ?? "" : m.text)).filter(Boolean);
}

/** Seconds the hold loop listens for the caller before it asks us again for what agents wrote. */
export const HOLD_LISTEN_SECONDS = 5;

/**
 * A call waiting for a person, one loop: what was said to the caller since the last loop is spoken,
 * the line listens (what the caller says comes back to `holdUrl`, for the agent), then the call asks
 * `holdUrl` again. `reassure`: the caller has heard nothing for a while and is told to stay on.
 */
export function holdTwiml(messages: readonly OutboundMessage[], holdUrl: string, reassure: boolean): string {
  const response = new twilio.twiml.VoiceResponse();
  const gather = response.gather({ input: ["speech", "dtmf"], action: holdUrl, method: "POST", timeout: HOLD_LISTEN_SECONDS, speechTimeout: "auto" });
  const spoken = spokenOf(messages);
  for (const text of spoken) gather.say(text);
  if (spoken.length === 0 && reassure) gather.say("Please stay on the line; someone will be with you shortly.");
  // No <Gather> answer: a short pause, then the next loop (the Gather's own timeout is most of the wait).
  response.pause({ length: 1 });
  response.redirect({ method: "POST" }, holdUrl);
  return response.toString();
}

/** A call waiting for a person, put through to the business's own number (`handoff.transferNumber`); the call ends with that leg. */
export function transferTwiml(messages: readonly OutboundMessage[], number: string, callerId: string | undefined): string {
  const response = new twilio.twiml.VoiceResponse();
  for (const text of spokenOf(messages)) response.say(text);
  response.dial({ ...(callerId ? { callerId } : {}) }, number);
  response.hangup();
  return response.toString();
}

/**
 * Realtime voice: the whole call is one bidirectional media stream; our parameters come back in
 * its `start` event. Twilio reads on past <Connect> only when we end the stream (the caller hanging
 * up ends the call instead), which happens when the model cannot go on: the caller is told so.
 */
export function mediaStreamTwiml(streamUrl: string, parameters: Record<string, string>): string {
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
  response.say("Sorry, the assistant cannot continue this call right now. Please try again later.");
  response.hangup();
  return response.toString();
}
