/**
 * Items of the content library: input normalised into stored items (variant ids, names, weights
 * checked), and the pick of an item by id or tag with the variant a user keeps.
 */
import { randomInt } from "node:crypto";
import { NotFoundError, ValidationError } from "../../sdk/platform-error.ts";
import type { PickedContent } from "../../sdk/content-contract.ts";
import { ContentErrorCode } from "./content-errors.ts";
import { variantInputSchema, type VariantInput } from "./content-schemas.ts";
import type { ContentItem, Experiment, Variant } from "./content.store.ts";
import { assignVariant } from "./variant-assignment.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => uuid.test(value);

/** Variants as stored: ids a, b, c... where none was given, unique ids, and some weight to show. */
export function normaliseVariants(input: readonly VariantInput[]): Variant[] {
  const variants = input.map((raw, index) => {
    const v = variantInputSchema.parse(raw);
    const id = v.id ?? variantLetter(index);
    return { id, name: v.name ?? `Variant ${id.toUpperCase()}`, weight: v.weight, messages: v.messages };
  });
  const seen = new Set<string>();
  for (const v of variants) {
    if (seen.has(v.id)) throw new ValidationError(ContentErrorCode.variantDuplicate, `Two variants share the id "${v.id}"; give each its own`);
    seen.add(v.id);
  }
  if (variants.every((v) => v.weight === 0)) {
    throw new ValidationError(ContentErrorCode.weightsAllZero, "Every variant has weight 0, so no user could ever be shown one; give at least one a positive weight");
  }
  return variants;
}

function variantLetter(index: number): string {
  return index < 26 ? String.fromCharCode(97 + index) : `v${index + 1}`;
}

/** Among items carrying a tag: those in `locale`, else in `fallbackLocale`, else those without a locale (any, when no locale is asked). */
export function candidatesByLocale<T extends { locale: string | null }>(items: readonly T[], locale?: string, fallbackLocale?: string): T[] {
  if (locale === undefined && fallbackLocale === undefined) return [...items];
  const same = (a: string | null, b: string | undefined) => a !== null && b !== undefined && a.toLowerCase() === b.toLowerCase();
  for (const wanted of [locale, fallbackLocale]) {
    const found = items.filter((i) => same(i.locale, wanted));
    if (found.length > 0) return found;
    // `pt-BR` asked, `pt` kept: the language alone still fits.
    const language = wanted?.split(/[-_]/)[0];
    const byLanguage = items.filter((i) => same(i.locale, language));
    if (byLanguage.length > 0) return byLanguage;
  }
  return items.filter((i) => i.locale === null);
}

export function pickRandom<T>(items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[randomInt(items.length)];
}

/**
 * The variant `userId` sees of `item`: the promoted winner; else, in a running experiment of this
 * bot, the user's hashed variant for that experiment (and the experiment, so the impression is
 * recorded); else the user's hashed variant for the item itself.
 */
export function variantFor(item: ContentItem, experiment: Experiment | undefined, botId: string, userId: string): PickedContent {
  const winner = item.winnerVariantId === null ? undefined : item.variants.find((v) => v.id === item.winnerVariantId);
  const inExperiment = !winner && experiment !== undefined && experiment.botId === botId;
  const chosen = winner ?? assignVariant(item.variants, userId, inExperiment ? experiment.id : item.id);
  if (!chosen) throw new NotFoundError(ContentErrorCode.notFound, "Content with a variant to show");
  return {
    itemId: item.id, type: item.type, locale: item.locale, variantId: chosen.id,
    experimentId: inExperiment ? experiment.id : null, messages: chosen.messages,
  };
}
