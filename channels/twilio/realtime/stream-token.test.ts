import assert from "node:assert/strict";
import { STREAM_TOKEN_TTL_MS, mintStreamToken, verifyStreamToken } from "./stream-token.ts";

describe("media stream tokens", () => {
  const authToken = "twilio-auth-token-for-tokens";
  const botId = "0b5e7f1c-6a43-4f7e-9d7c-1b2a3c4d5e6f";
  const callSid = `CA${"1".repeat(32)}`;
  const now = Date.UTC(2026, 10, 21, 12);

  it("opens the stream for the call and bot it was minted for, within its lifetime", () => {
    const token = mintStreamToken(authToken, botId, callSid, now);
    assert.equal(verifyStreamToken(authToken, token, botId, callSid, now + 1000), true);
    assert.equal(verifyStreamToken(authToken, token, botId, callSid, now + STREAM_TOKEN_TTL_MS + 60_000), false);
  });

  it("refuses another call, another bot, another auth token, a tampered or missing token", () => {
    const token = mintStreamToken(authToken, botId, callSid, now);
    assert.equal(verifyStreamToken(authToken, token, botId, `CA${"2".repeat(32)}`, now), false);
    assert.equal(verifyStreamToken(authToken, token, "1b5e7f1c-6a43-4f7e-9d7c-1b2a3c4d5e6f", callSid, now), false);
    assert.equal(verifyStreamToken("another-auth-token-entirely", token, botId, callSid, now), false);
    const [expires, signature] = token.split(".");
    assert.equal(verifyStreamToken(authToken, `${Number(expires) + 60_000}.${signature}`, botId, callSid, now), false);
    assert.equal(verifyStreamToken(authToken, undefined, botId, callSid, now), false);
    assert.equal(verifyStreamToken(authToken, token, botId, "", now), false);
  });
});
