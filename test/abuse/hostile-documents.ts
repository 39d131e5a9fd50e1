import { constants, crc32, deflateRawSync } from "node:zlib";

/**
 * Hostile knowledge documents, built in the test rather than stored: a DOCX whose one XML part
 * unpacks to hundreds of MiB (a zip bomb), and a CSV that is one quoted field of many MiB.
 */

/** An entry already deflated: its compressed bytes, its CRC-32 and its unpacked size. */
export type Packed = { packed: Buffer; crc: number; size: number };

/**
 * Deflates `head`, `fill` repeated `times`, then `tail`, without ever holding the whole: each
 * piece is its own run of non-final blocks (a sync flush ends them on a byte boundary), so the
 * pieces' outputs joined are one valid deflate stream. A 250 MiB part is packed in milliseconds.
 */
export function packRepeated(head: Buffer, fill: Buffer, times: number, tail: Buffer): Packed {
  const sync = { finishFlush: constants.Z_SYNC_FLUSH };
  const packedFill = deflateRawSync(fill, sync);
  let crc = crc32(head);
  for (let i = 0; i < times; i++) crc = crc32(fill, crc);
  crc = crc32(tail, crc);
  return {
    packed: Buffer.concat([deflateRawSync(head, sync), ...Array.from({ length: times }, () => packedFill), deflateRawSync(tail)]),
    crc,
    size: head.length + fill.length * times + tail.length,
  };
}

const pack = (data: Buffer): Packed => ({ packed: deflateRawSync(data), crc: crc32(data), size: data.length });

/** A zip (deflate) of the given entries: plain Buffers, or entries packed already. */
export function zipOf(entries: Record<string, Buffer | Packed>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, entry] of Object.entries(entries)) {
    const { packed, crc, size } = Buffer.isBuffer(entry) ? pack(entry) : entry;
    const nameBytes = Buffer.from(name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** A Word document whose body is one run of `mib` MiB of letters: a few hundred KiB that unpack to that. */
export function docxBomb(mib: number): Buffer {
  const head = Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>`);
  const tail = Buffer.from("</w:t></w:r></w:p></w:body></w:document>");
  const xml = packRepeated(head, Buffer.alloc(1024 * 1024, "a"), mib, tail);
  return zipOf({
    "[Content_Types].xml": Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`),
    "_rels/.rels": Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`),
    "word/document.xml": xml,
  });
}

/** A CSV with a header and one record that is a single quoted field of `fieldBytes` characters. */
export function csvOneQuotedField(fieldBytes: number): Buffer {
  const head = Buffer.from('notes\n"');
  const csv = Buffer.alloc(head.length + fieldBytes + 2, "x");
  head.copy(csv, 0);
  csv.write('"\n', head.length + fieldBytes);
  return csv;
}

/** Times `probe` every `everyMs` until `until` settles: how slow the platform got for everyone else meanwhile. */
export async function latenciesWhile(until: Promise<unknown>, probe: () => Promise<number>, everyMs = 100): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true)).catch(() => {});
  const latencies: number[] = [];
  while (!done) {
    const started = performance.now();
    const status = await probe();
    latencies.push(performance.now() - started);
    if (status !== 200) throw new Error(`the other tenant's request answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return latencies;
}
