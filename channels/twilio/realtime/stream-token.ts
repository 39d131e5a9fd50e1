/**
 * Twilio opens the media stream WebSocket itself, after reading our TwiML, and a WebSocket
 * upgrade carries no form body to sign. So the TwiML hands the stream a short-lived token in a
 * <Parameter>: an HMAC, keyed with the bot's Twilio auth token, over the bot, the call and an
 * expiry. Twilio echoes it in the stream's `start` message; a stream for another bot or call, or
 * one opened late, is refused.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const STREAM_TOKEN_TTL_MS = 2 * 60_000;
/** The node that mints a token and the one Twilio's socket reaches may disagree a little about the time. */
const CLOCK_SKEW_MS = 30_000;

function signature(authToken: string, botId: string, callSid: string, expires: number): string {
  return createHmac("sha256", authToken).update(`twilio-media:${botId}:${callSid}:${expires}`).digest("base64url");
}

export function mintStreamToken(authToken: string, botId: string, callSid: string, now = Date.now()): string {
  const expires = now + STREAM_TOKEN_TTL_MS;
  return `${expires}.${signature(authToken, botId, callSid, expires)}`;
}

export function verifyStreamToken(authToken: string, token: string | undefined, botId: string, callSid: string, now = Date.now()): boolean {
  const match = /^(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(token ?? "");
  if (!match || !callSid) return false;
  const expires = Number(match[1]);
  if (expires < now - CLOCK_SKEW_MS || expires > now + STREAM_TOKEN_TTL_MS + CLOCK_SKEW_MS) return false;
  const expected = Buffer.from(signature(authToken, botId, callSid, expires));
  const given = Buffer.from(match[2]);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
