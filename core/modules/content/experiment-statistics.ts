/**
 * The test behind an experiment's confidence figure: the two-proportion z-test with a pooled
 * proportion, two-sided. Each variant is compared with the control (the item's first variant):
 *
 *   p̂ = (c₁ + c₂) / (n₁ + n₂),  SE = √(p̂ (1 − p̂) (1/n₁ + 1/n₂)),  z = (c₂/n₂ − c₁/n₁) / SE,
 *   p-value = 2 (1 − Φ(|z|)) = 1 − erf(|z| / √2),  confidence = 1 − p-value.
 *
 * Φ comes from simple-statistics' error function (a kept library) rather than our own series.
 * With no impressions on a side, or every (or no) user converting on both, SE is 0 and the test
 * says nothing: z, p-value and confidence are null.
 */
import { errorFunction } from "simple-statistics";

export const STATISTICAL_TEST = {
  name: "two-proportion z-test",
  description: "Pooled two-proportion z-test, two-sided: each variant's conversion rate against the control's (the item's first variant). "
    + "confidence = 1 − p-value; null while either side has no impressions or the pooled rate is 0 or 1.",
} as const;

export type Proportion = { impressions: number; conversions: number };
export type ZTest = { z: number; pValue: number; confidence: number };

export function twoProportionZTest(control: Proportion, variant: Proportion): ZTest | null {
  const n1 = control.impressions, n2 = variant.impressions;
  if (n1 === 0 || n2 === 0) return null;
  const pooled = (control.conversions + variant.conversions) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return null;
  const z = (variant.conversions / n2 - control.conversions / n1) / se;
  const pValue = Math.min(1, Math.max(0, 1 - errorFunction(Math.abs(z) / Math.SQRT2)));
  return { z, pValue, confidence: 1 - pValue };
}
