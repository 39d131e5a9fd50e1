/**
 * Telephone audio as Twilio carries it (G.711 μ-law, 8 kHz, mono) and the 16-bit PCM the speech
 * models want: μ-law to and from linear samples, and plain linear-interpolation resampling
 * (8 kHz up to 16 kHz for Gemini Live, its 24 kHz down to 8 kHz with a box filter so the upper
 * band folds less). Phone audio stops at 3.4 kHz, so nothing finer is worth its cost here.
 */

const BIAS = 0x84;
const CLIP = 32635;

/** One linear 16-bit sample to its μ-law byte (ITU-T G.711). */
export function linearToMulaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One μ-law byte to its linear 16-bit sample. */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

const decodeTable = Int16Array.from({ length: 256 }, (_, b) => mulawToLinear(b));

export function decodeMulaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = decodeTable[bytes[i]];
  return out;
}

export function encodeMulaw(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToMulaw(samples[i]);
  return out;
}

/** Resamples mono PCM: averaging when going down (a crude low-pass), linear interpolation going up. */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate || samples.length === 0) return samples.slice();
  const length = Math.max(1, Math.round((samples.length * toRate) / fromRate));
  const out = new Int16Array(length);
  const step = fromRate / toRate;
  if (step > 1) {
    for (let i = 0; i < length; i++) {
      const start = Math.floor(i * step);
      const end = Math.min(samples.length, Math.max(start + 1, Math.floor((i + 1) * step)));
      let sum = 0;
      for (let j = start; j < end; j++) sum += samples[j];
      out[i] = Math.round(sum / (end - start));
    }
    return out;
  }
  for (let i = 0; i < length; i++) {
    const position = i * step;
    const left = Math.floor(position);
    const right = Math.min(samples.length - 1, left + 1);
    const fraction = position - left;
    out[i] = Math.round(samples[left] * (1 - fraction) + samples[right] * fraction);
  }
  return out;
}

/** Little-endian 16-bit PCM bytes (what the models send and take) to samples, and back. */
export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.byteLength >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

export function pcm16ToBytes(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i], i * 2);
  return out;
}

/** Twilio's μ-law 8 kHz to PCM16 at `rate`, and a model's PCM16 at `rate` back to μ-law 8 kHz. */
export function mulaw8kToPcm16(mulaw: Uint8Array, rate: number): Buffer {
  return pcm16ToBytes(resample(decodeMulaw(mulaw), 8000, rate));
}

export function pcm16ToMulaw8k(pcm: Uint8Array, rate: number): Buffer {
  return encodeMulaw(resample(pcm16FromBytes(pcm), rate, 8000));
}
