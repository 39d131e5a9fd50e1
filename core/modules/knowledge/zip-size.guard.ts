import { knowledgeTooLarge } from "./knowledge-errors.ts";

// How much bigger than the upload a DOCX may unpack to. Real documents compress 3-10x; a zip
// bomb compresses a thousandfold and would exhaust memory in the parser.
const MAX_EXPANSION = 30;

/**
 * Refuses a zip whose entries declare more uncompressed bytes than `MAX_EXPANSION` times the
 * upload limit, before any parser inflates it. Reads the central directory only. (A zip that lies
 * in its headers is still inflated by the parser; the declared sizes are the cheap first line.)
 */
export function assertZipExpandsReasonably(bytes: Buffer, maxBytes: number): void {
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > bytes.length) return; // not a well-formed zip: the parser will say so
  const entries = bytes.readUInt16LE(end + 10);
  let offset = bytes.readUInt32LE(end + 16);
  let total = 0;
  for (let i = 0; i < entries && offset + 46 <= bytes.length; i++) {
    if (bytes.readUInt32LE(offset) !== 0x02014b50) break;
    total += bytes.readUInt32LE(offset + 24);
    offset += 46 + bytes.readUInt16LE(offset + 28) + bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32);
  }
  if (total > maxBytes * MAX_EXPANSION) throw knowledgeTooLarge(total, maxBytes * MAX_EXPANSION);
}
