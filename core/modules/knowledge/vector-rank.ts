/**
 * Exact cosine ranking of many float32 embeddings against one query, for the real[] fallback
 * (knowledge.store.ts `nearest`, where the server has no pgvector): every embedding is scored,
 * nothing is approximated.
 *
 * Plain typed-array loops: the embeddings sit in one Float32Array, row after row, and each dot
 * product accumulates in float64 over four running sums. A hand-assembled WebAssembly SIMD kernel
 * did this before, about 5 times faster on the kernel alone (20,000 × 384: 5 ms against 24 ms a
 * query on this project's 2-core machine; at bench/knowledge's 2,100 rows a bot, 0.5 ms against
 * 2.5 ms, which that bench's hybrid search cannot tell apart). Bytes nobody could read or review
 * were not worth it for a fallback: where the server has pgvector, none of this runs. If the
 * largest bots on real[] need it back, compile it from WebAssembly text kept in the repo.
 */
export class VectorSet {
  readonly count: number;
  readonly dims: number;
  /** `count` × `dims` floats, row after row: written by the caller once, before any search. */
  readonly vectors: Float32Array;
  /** Each row's Euclidean norm, written by the caller with the rows. */
  readonly norms: Float32Array;
  readonly #query: Float64Array;
  readonly #scores: Float64Array;

  constructor(count: number, dims: number) {
    this.count = count;
    this.dims = dims;
    this.vectors = new Float32Array(count * dims);
    this.norms = new Float32Array(count);
    this.#query = new Float64Array(dims);
    this.#scores = new Float64Array(count);
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
    const scores = this.#scores;
    for (let i = 0, row = 0; i < count; i++, row += dims) {
      const dot = dotProduct(q, vectors, row, dims);
      scores[i] = queryNorm === 0 || norms[i] === 0 ? 0 : dot / (queryNorm * norms[i]!);
    }
    return scores;
  }
}

/** `q` · `vectors[row .. row + dims)`, four running sums so the additions do not wait on each other. */
function dotProduct(q: Float64Array, vectors: Float32Array, row: number, dims: number): number {
  let a = 0, b = 0, c = 0, e = 0;
  let d = 0;
  for (; d + 3 < dims; d += 4) {
    a += q[d]! * vectors[row + d]!;
    b += q[d + 1]! * vectors[row + d + 1]!;
    c += q[d + 2]! * vectors[row + d + 2]!;
    e += q[d + 3]! * vectors[row + d + 3]!;
  }
  for (; d < dims; d++) a += q[d]! * vectors[row + d]!;
  return a + b + c + e;
}
