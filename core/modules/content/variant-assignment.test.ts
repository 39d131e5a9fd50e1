import assert from "node:assert/strict";
import { assignVariant } from "./variant-assignment.ts";

describe("which variant a user sees", () => {
  const variants = [{ id: "a", weight: 1 }, { id: "b", weight: 3 }, { id: "off", weight: 0 }];

  it("is the same for a user every time, and may differ between experiments", () => {
    const first = Array.from({ length: 50 }, (_, i) => assignVariant(variants, `user-${i}`, "exp-1")!.id);
    const again = Array.from({ length: 50 }, (_, i) => assignVariant(variants, `user-${i}`, "exp-1")!.id);
    const other = Array.from({ length: 50 }, (_, i) => assignVariant(variants, `user-${i}`, "exp-2")!.id);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other, first);
  });

  it("follows the weights and never shows a variant of weight 0", () => {
    const counts = { a: 0, b: 0, off: 0 };
    for (let i = 0; i < 4000; i++) counts[assignVariant(variants, `u${i}`, "exp")!.id as keyof typeof counts]++;
    assert.equal(counts.off, 0);
    // 1:3 within a few percent at 4000 users (a hash, not a coin: the figure is fixed for these ids).
    assert.ok(counts.a > 880 && counts.a < 1120, JSON.stringify(counts));
  });

  it("shows nothing when every weight is 0", () => {
    assert.equal(assignVariant([{ id: "a", weight: 0 }], "u", "exp"), undefined);
  });
});
