/**
 * An experiment's report: per variant of the item, users shown it (impressions), those of them who
 * reached the goal (conversions), the rate, and the z-test against the control (the first variant).
 */
import type { ContentItem, Experiment, VariantCounts } from "./content.store.ts";
import { STATISTICAL_TEST, twoProportionZTest } from "./experiment-statistics.ts";
import type { GoalProblem } from "./experiment-goal.ts";

export type VariantResult = {
  variantId: string; name: string; weight: number; impressions: number; conversions: number; shows: number;
  rate: number | null; z: number | null; pValue: number | null; confidence: number | null; control: boolean;
};

export type ExperimentResults = Experiment & {
  itemName: string;
  test: { name: string; description: string; controlVariantId: string | null };
  variants: VariantResult[];
  /** Set when the goal can no longer be reached (its node was deleted in a newer version). */
  goalProblem: { code: string; message: string } | null;
};

export function experimentResults(experiment: Experiment, item: ContentItem | undefined, counts: readonly VariantCounts[], problem: GoalProblem | null): ExperimentResults {
  const byId = new Map(counts.map((c) => [c.variantId, c]));
  // Variants shown during the experiment but since removed from the item are still reported.
  const listed = [...(item?.variants ?? []).map((v) => ({ id: v.id, name: v.name, weight: v.weight })),
    ...counts.filter((c) => !item?.variants.some((v) => v.id === c.variantId)).map((c) => ({ id: c.variantId, name: c.variantId, weight: 0 }))];
  const control = listed[0];
  const tally = (id: string) => byId.get(id) ?? { impressions: 0, conversions: 0, shows: 0 };
  const variants = listed.map((v): VariantResult => {
    const t = tally(v.id);
    const isControl = v.id === control?.id;
    const test = isControl || !control ? null : twoProportionZTest(tally(control.id), t);
    return {
      variantId: v.id, name: v.name, weight: v.weight, impressions: t.impressions, conversions: t.conversions, shows: t.shows,
      rate: t.impressions === 0 ? null : t.conversions / t.impressions,
      z: test?.z ?? null, pValue: test?.pValue ?? null, confidence: test?.confidence ?? null, control: isControl,
    };
  });
  return {
    ...experiment,
    itemName: item?.name ?? "(deleted item)",
    test: { ...STATISTICAL_TEST, controlVariantId: control?.id ?? null },
    variants,
    goalProblem: problem ? { code: problem.code, message: problem.message } : null,
  };
}
