import assert from "node:assert/strict";
import { decodeMulaw, encodeMulaw, linearToMulaw, mulaw8kToPcm16, mulawToLinear, pcm16FromBytes, pcm16ToMulaw8k, resample } from "./mulaw.ts";

/** A tone as PCM16 samples. */
function tone(hz: number, rate: number, ms: number, amplitude = 8000): Int16Array {
  return Int16Array.from({ length: (rate * ms) / 1000 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}

describe("μ-law codec for Twilio media streams", () => {
  it("matches the G.711 reference points (silence is 0xFF, full scale is 0x80/0x00)", () => {
    assert.equal(linearToMulaw(0), 0xff);
    assert.equal(linearToMulaw(32767), 0x80);
    assert.equal(linearToMulaw(-32768), 0x00);
    assert.equal(mulawToLinear(0xff), 0);
    assert.equal(mulawToLinear(0x80), 32124);
    assert.equal(mulawToLinear(0x00), -32124);
  });

  it("round-trips every byte, and keeps a sample within μ-law's step size", () => {
    for (let b = 0; b < 256; b++) {
      // 0x7F and 0xFF both mean zero; every other byte is its own code.
      if (b === 0x7f) continue;
      assert.equal(linearToMulaw(mulawToLinear(b)), b, `byte ${b}`);
    }
    for (const s of [1, 100, 1000, -1000, 5000, -12345, 30000]) {
      const back = mulawToLinear(linearToMulaw(s));
      assert.ok(Math.abs(back - s) <= Math.max(8, Math.abs(s) / 16), `${s} came back as ${back}`);
    }
  });

  it("resamples 8 kHz to 16 kHz and 24 kHz to 8 kHz keeping a voice-band tone", () => {
    const up = resample(tone(440, 8000, 20), 8000, 16000);
    assert.equal(up.length, 320);
    const expected = tone(440, 16000, 20);
    const error = up.reduce((sum, v, i) => sum + Math.abs(v - expected[i]), 0) / up.length;
    assert.ok(error < 300, `mean error ${error}`);
    const down = resample(tone(440, 24000, 20), 24000, 8000);
    assert.equal(down.length, 160);
    const target = tone(440, 8000, 20);
    const downError = down.reduce((sum, v, i) => sum + Math.abs(v - target[i]), 0) / down.length;
    assert.ok(downError < 600, `mean error ${downError}`);
  });

  it("turns 20 ms of Twilio audio into 20 ms of 16 kHz PCM16 and 24 kHz model audio into 20 ms of μ-law", () => {
    const frame = encodeMulaw(tone(300, 8000, 20));
    assert.equal(frame.length, 160);
    const pcm = mulaw8kToPcm16(frame, 16000);
    assert.equal(pcm.length, 640);
    assert.equal(pcm16FromBytes(pcm).length, 320);
    const back = pcm16ToMulaw8k(Buffer.from(new Uint8Array(tone(300, 24000, 20).buffer)), 24000);
    assert.equal(back.length, 160);
    const decoded = decodeMulaw(back);
    const peak = decoded.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(peak > 6000 && peak < 9000, `peak ${peak}`);
  });
});
