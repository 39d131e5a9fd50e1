import { createInflateRaw } from "node:zlib";
import { compressionRatioExceeded, expandsTooLarge } from "./knowledge-errors.ts";

/**
 * How far a zip (a DOCX) may unpack: at most `maxExpandedBytes` in all, and at most `maxRatio`
 * times its own size. Real documents compress 3-20x; a zip bomb a thousandfold, and the parser
 * would hold all of it in memory.
 */
export type ZipLimits = { maxExpandedBytes: number; maxRatio: number };

/** Below this, the ratio is not judged: a tiny document may compress well and harms nobody. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

type Entry = { method: number; compressedSize: number; declaredSize: number; localOffset: number };

/** The central directory's entries; empty when the bytes are not a well-formed zip (the parser will say so). */
function entriesOf(bytes: Buffer): Entry[] {
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > bytes.length) return [];
  const count = bytes.readUInt16LE(end + 10);
  let offset = bytes.readUInt32LE(end + 16);
  const entries: Entry[] = [];
  for (let i = 0; i < count && offset + 46 <= bytes.length; i++) {
    if (bytes.readUInt32LE(offset) !== 0x02014b50) break;
    entries.push({ method: bytes.readUInt16LE(offset + 10), compressedSize: bytes.readUInt32LE(offset + 20), declaredSize: bytes.readUInt32LE(offset + 24), localOffset: bytes.readUInt32LE(offset + 42) });
    offset += 46 + bytes.readUInt16LE(offset + 28) + bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32);
  }
  return entries;
}

function judge(expanded: number, size: number, limits: ZipLimits): void {
  if (expanded > limits.maxExpandedBytes) throw expandsTooLarge(expanded, limits.maxExpandedBytes);
  if (expanded > RATIO_FLOOR_BYTES && expanded / Math.max(1, size) > limits.maxRatio) throw compressionRatioExceeded(expanded / Math.max(1, size), limits.maxRatio);
}

/**
 * The cheap first line, before any worker is used: refuses a zip whose directory declares too many
 * uncompressed bytes (413 KNOWLEDGE_TOO_LARGE) or too high a ratio (413
 * KNOWLEDGE_COMPRESSION_RATIO_EXCEEDED). Reads the central directory only.
 */
export function assertZipExpandsReasonably(bytes: Buffer, limits: ZipLimits): void {
  judge(entriesOf(bytes).reduce((n, e) => n + e.declaredSize, 0), bytes.length, limits);
}

/**
 * The second line, for a zip that lies in its headers: inflates every entry as a stream, keeping
 * nothing but a count, and stops as soon as the limits are passed. Same errors as above. Runs in
 * the document reader's worker (it costs CPU, about a second per 250 MiB).
 */
export async function assertZipInflatesReasonably(bytes: Buffer, limits: ZipLimits): Promise<void> {
  let expanded = 0;
  // The ratio's cap on what is worth inflating: past it, the verdict is known.
  const cap = Math.min(limits.maxExpandedBytes, Math.max(RATIO_FLOOR_BYTES, bytes.length * limits.maxRatio)) + 1;
  for (const entry of entriesOf(bytes)) {
    if (entry.localOffset + 30 > bytes.length || bytes.readUInt32LE(entry.localOffset) !== 0x04034b50) continue;
    const start = entry.localOffset + 30 + bytes.readUInt16LE(entry.localOffset + 26) + bytes.readUInt16LE(entry.localOffset + 28);
    const data = bytes.subarray(start, Math.min(bytes.length, start + entry.compressedSize));
    expanded += entry.method === 8 ? await inflatedSize(data, cap - expanded) : data.length;
    if (expanded >= cap) break;
  }
  judge(expanded, bytes.length, limits);
}

/** Bytes `data` inflates to, counted chunk by chunk, stopping past `cap`; a corrupt stream counts what came out. */
function inflatedSize(data: Buffer, cap: number): Promise<number> {
  return new Promise((resolve) => {
    const inflate = createInflateRaw();
    let size = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(size);
    };
    inflate.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size >= cap) {
        finish();
        inflate.destroy();
      }
    });
    inflate.once("end", finish);
    inflate.once("error", finish);
    inflate.once("close", finish);
    inflate.end(data);
  });
}
