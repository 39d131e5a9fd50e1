/**
 * Which variant a user sees: a hash of the user and the experiment (or the item, outside an
 * experiment) placed on the variants' cumulative weights. The same user always lands on the same
 * variant, on every node and every session, with nothing stored; a variant of weight 0 is never
 * chosen. SHA-256 spreads users evenly enough that a 50/50 split is close to half and half.
 */
import { createHash } from "node:crypto";

export type Weighted = { id: string; weight: number };

/** A number in [0, 1) fixed by `userKey` and `salt`. */
export function bucketOf(userKey: string, salt: string): number {
  const digest = createHash("sha256").update(`${salt}\u0000${userKey}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export function assignVariant<V extends Weighted>(variants: readonly V[], userKey: string, salt: string): V | undefined {
  const total = variants.reduce((sum, v) => sum + Math.max(0, v.weight), 0);
  if (total <= 0) return undefined;
  let point = bucketOf(userKey, salt) * total;
  for (const variant of variants) {
    if (variant.weight <= 0) continue;
    if (point < variant.weight) return variant;
    point -= variant.weight;
  }
  return variants.findLast((v) => v.weight > 0);
}
