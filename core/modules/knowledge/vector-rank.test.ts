import assert from "node:assert/strict";
import { VectorSet } from "./vector-rank.ts";

/** The cosine similarity the plain way, for comparison. */
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i]! * b[i]!; na += a[i]! * a[i]!; nb += b[i]! * b[i]!; }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function randomVectors(count: number, dims: number, seed: number): Float32Array[] {
  let x = seed;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: count }, () => Float32Array.from({ length: dims }, next));
}

describe("exact vector ranking (the real[] fallback)", () => {
  // 384 is whole groups of four; 6 leaves two for the tail loop.
  for (const dims of [384, 6]) {
    it(`scores every row as the plain cosine does (${dims} dimensions)`, () => {
      const rows = randomVectors(257, dims, dims);
      rows[3] = new Float32Array(dims); // a zero row scores 0
      const set = new VectorSet(rows.length, dims);
      rows.forEach((row, i) => {
        set.vectors.set(row, i * dims);
        set.norms[i] = Math.hypot(...row);
      });
      for (const query of randomVectors(5, dims, 99)) {
        const scores = set.similarities(query);
        rows.forEach((row, i) => assert.ok(Math.abs(scores[i]! - cosine(query, row)) < 1e-6, `row ${i}: ${scores[i]} vs ${cosine(query, row)}`));
        assert.equal(scores[3], 0);
      }
      assert.ok(set.similarities(new Float32Array(dims)).every((s) => s === 0), "a zero query scores 0 everywhere");
    });
  }
});
