import assert from "node:assert/strict";
import { twoProportionZTest } from "./experiment-statistics.ts";

describe("the two-proportion z-test behind an experiment's confidence", () => {
  it("gives the textbook figures for 100/1000 against 130/1000", () => {
    // By hand: p̂ = 230/2000 = 0.115; SE = √(0.115 · 0.885 · (1/1000 + 1/1000)) = 0.0142671;
    // z = (0.130 − 0.100) / SE = 2.10274; two-sided p = 2 (1 − Φ(2.10274)) = 0.03549.
    const test = twoProportionZTest({ impressions: 1000, conversions: 100 }, { impressions: 1000, conversions: 130 })!;
    assert.ok(Math.abs(test.z - 2.10274) < 1e-4, String(test.z));
    assert.ok(Math.abs(test.pValue - 0.03549) < 1e-4, String(test.pValue));
    assert.ok(Math.abs(test.confidence - 0.96451) < 1e-4, String(test.confidence));
  });

  it("is symmetric: a worse variant gets the same confidence with a negative z", () => {
    const test = twoProportionZTest({ impressions: 1000, conversions: 130 }, { impressions: 1000, conversions: 100 })!;
    assert.ok(Math.abs(test.z + 2.10274) < 1e-4);
    assert.ok(Math.abs(test.confidence - 0.96451) < 1e-4);
  });

  it("says nothing without impressions on both sides, or when nobody (or everybody) converted", () => {
    assert.equal(twoProportionZTest({ impressions: 0, conversions: 0 }, { impressions: 10, conversions: 3 }), null);
    assert.equal(twoProportionZTest({ impressions: 10, conversions: 0 }, { impressions: 10, conversions: 0 }), null);
    assert.equal(twoProportionZTest({ impressions: 10, conversions: 10 }, { impressions: 5, conversions: 5 }), null);
  });
});
