/**
 * Exact cosine ranking of many float32 embeddings against one query, for the real[] fallback
 * (knowledge.store.ts `nearest`, where the server has no pgvector): every embedding is scored,
 * nothing is approximated.
 *
 * The dot products run in a small WebAssembly SIMD function (below, assembled by hand: no
 * toolchain needed) that reads the float32 embeddings two lanes at a time, widens them to float64
 * and accumulates in float64, as the plain loop does. A bot of 20,000 passages of 384 dimensions
 * is 7.7 million multiply-adds: about 9 ms of one core in a JavaScript loop, which also blocks
 * the event loop while the search's full-text query waits to be read; a few ms here. Without
 * WebAssembly SIMD (or for a width that is not a multiple of 4) a JavaScript loop does the same.
 *
 * A `VectorSet` keeps its embeddings in its own WebAssembly memory (allocated once, when a bot's
 * embeddings are read), so a search copies only the query in.
 */
export class VectorSet {
  readonly count: number;
  readonly dims: number;
  /** `count` × `dims` floats, row after row: written by the caller once, before any search. */
  readonly vectors: Float32Array;
  /** Each row's Euclidean norm, written by the caller with the rows. */
  readonly norms: Float32Array;
  readonly #query: Float64Array;
  readonly #dots: Float64Array;
  readonly #kernel: ((query: number, vectors: number, count: number, dims: number, out: number) => void) | undefined;
  readonly #offsets: { query: number; dots: number; vectors: number };

  constructor(count: number, dims: number) {
    this.count = count;
    this.dims = dims;
    this.norms = new Float32Array(count);
    const module = dims % 4 === 0 && count > 0 ? simdModule() : undefined;
    if (!module) {
      this.vectors = new Float32Array(count * dims);
      this.#query = new Float64Array(dims);
      this.#dots = new Float64Array(count);
      this.#kernel = undefined;
      this.#offsets = { query: 0, dots: 0, vectors: 0 };
      return;
    }
    // Layout: the query (float64), the dot products (float64), then the embeddings (float32), 16-byte aligned.
    const dotsAt = align16(dims * 8);
    const vectorsAt = align16(dotsAt + count * 8);
    const bytes = vectorsAt + count * dims * 4;
    const instance = new WebAssembly.Instance(module);
    const memory = instance.exports.memory as WebAssembly.Memory;
    const pages = Math.ceil(bytes / 65_536) - memory.buffer.byteLength / 65_536;
    if (pages > 0) memory.grow(pages);
    this.#offsets = { query: 0, dots: dotsAt, vectors: vectorsAt };
    this.#query = new Float64Array(memory.buffer, 0, dims);
    this.#dots = new Float64Array(memory.buffer, dotsAt, count);
    this.vectors = new Float32Array(memory.buffer, vectorsAt, count * dims);
    this.#kernel = instance.exports.dots as (query: number, vectors: number, count: number, dims: number, out: number) => void;
  }

  /** The cosine similarity of `query` with every row (0 where either norm is 0), in row order. The array is reused by the next call. */
  similarities(query: ArrayLike<number>): Float64Array {
    const { dims, count, vectors, norms } = this;
    const q = this.#query;
    let queryNorm = 0;
    for (let d = 0; d < dims; d++) {
      const v = Number(query[d] ?? 0);
      q[d] = Number.isFinite(v) ? v : 0;
      queryNorm += q[d]! * q[d]!;
    }
    queryNorm = Math.sqrt(queryNorm);
    const out = this.#dots;
    if (this.#kernel) this.#kernel(this.#offsets.query, this.#offsets.vectors, count, dims, this.#offsets.dots);
    else {
      for (let i = 0, o = 0; i < count; i++, o += dims) {
        let a = 0;
        let b = 0;
        let d = 0;
        for (; d + 1 < dims; d += 2) {
          a += q[d]! * vectors[o + d]!;
          b += q[d + 1]! * vectors[o + d + 1]!;
        }
        if (d < dims) a += q[d]! * vectors[o + d]!;
        out[i] = a + b;
      }
    }
    for (let i = 0; i < count; i++) out[i] = queryNorm === 0 || norms[i] === 0 ? 0 : out[i]! / (queryNorm * norms[i]!);
    return out;
  }
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

let compiled: WebAssembly.Module | null | undefined;

/** The kernel's module, compiled once per process; null where this runtime has no WebAssembly SIMD. */
function simdModule(): WebAssembly.Module | undefined {
  if (compiled === undefined) {
    try {
      const bytes = kernelBytes();
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/**
 * `dots(query, vectors, count, dims, out)`, byte offsets into the module's memory: for each of
 * `count` rows of `dims` float32 (dims a multiple of 4) at `vectors`, the float64 dot product with
 * the `dims` float64 at `query`, stored as float64 at `out`. Two float64x2 accumulators: lanes 0-1
 * and 2-3 of every four floats.
 */
function kernelBytes(): Uint8Array<ArrayBuffer> {
  const zero = new Array<number>(16).fill(0);
  const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const simd = (op: number[]) => [0xfd, ...op];
  const v128Load = (offset: number) => simd([0x00, 0x00, offset]);
  const f64x2Mul = simd([0xf2, 0x01]);
  const f64x2Add = simd([0xf0, 0x01]);
  const promoteLow = simd([0x5f]);
  const [Q, V, N, DIMS, OUT, I, D, END, ACC0, ACC1, X] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const code = [
    // locals: 3 × i32 (i, d, end), 3 × v128 (acc0, acc1, x)
    0x02, 0x03, 0x7f, 0x03, 0x7b,
    ...get(DIMS), 0x41, 3, 0x74, ...set(END), // end = dims * 8 (bytes of the float64 query)
    0x02, 0x40, 0x03, 0x40, // block, loop over rows
    ...get(I), ...get(N), 0x4f, 0x0d, 1, // i >= count: done
    ...simd([0x0c, ...zero]), ...set(ACC0),
    ...simd([0x0c, ...zero]), ...set(ACC1),
    0x41, 0, ...set(D),
    0x02, 0x40, 0x03, 0x40, // block, loop over the row, four floats at a time
    ...get(D), ...get(END), 0x4f, 0x0d, 1,
    ...get(V), ...v128Load(0), ...set(X),
    ...get(ACC0), ...get(X), ...promoteLow, ...get(Q), ...get(D), 0x6a, ...v128Load(0), ...f64x2Mul, ...f64x2Add, ...set(ACC0),
    ...get(ACC1), ...get(X), ...get(X), ...simd([0x0d, ...HIGH_HALF]), ...promoteLow, ...get(Q), ...get(D), 0x6a, ...v128Load(16), ...f64x2Mul, ...f64x2Add, ...set(ACC1),
    ...get(V), 0x41, 16, 0x6a, ...set(V),
    ...get(D), 0x41, 32, 0x6a, ...set(D),
    0x0c, 0, 0x0b, 0x0b, // next four floats; end loop, end block
    ...get(OUT), ...get(I), 0x41, 3, 0x74, 0x6a, // &out[i]
    ...get(ACC0), ...get(ACC1), ...f64x2Add, 0x22, ACC0, ...simd([0x21, 0]), ...get(ACC0), ...simd([0x21, 1]), 0xa0,
    0x39, 3, 0, // f64.store
    ...get(I), 0x41, 1, 0x6a, ...set(I),
    0x0c, 0, 0x0b, 0x0b, // next row; end loop, end block
    0x0b,
  ];
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return out;
  };
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // type: (i32 × 5) -> ()
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0, 1]), // one memory, one page to start
    ...section(7, [2, ...name("dots"), 0, 0, ...name("memory"), 2, 0]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ]);
}
