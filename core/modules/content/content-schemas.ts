/**
 * The content library's API shapes, declared once: the routes validate with them (and they become
 * OpenAPI, and the console's forms), the service takes its types from them.
 */
import { z } from "zod";
import { richMessagesSchema } from "../../sdk/content-contract.ts";

/** The kinds every tenant starts with; a tenant may name any other (`recipe`, `tip`...). */
export const BUILT_IN_CONTENT_TYPES = ["message", "joke", "fact", "quote", "prompt"] as const;

const slug = /^[a-z][a-z0-9_-]*$/;
export const contentTypeSchema = z.string().min(1).max(40).regex(slug, "lower-case letters, digits, - and _, starting with a letter")
  .describe(`message, joke, fact, quote, prompt, or a type of your own`);
export const localeSchema = z.string().min(2).max(35).regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, "a locale like en or pt-BR");
const tagSchema = z.string().min(1).max(60).regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:-]*$/u, "letters, digits, spaces and - _ . :");

export const variantInputSchema = z.object({
  /** Stable within the item; a, b, c... when not given. */
  id: z.string().min(1).max(40).regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _").optional(),
  name: z.string().min(1).max(100).optional(),
  /** Share of users shown this variant, relative to the others' weights; 0 shows it to nobody. */
  weight: z.number().min(0).max(1_000_000).default(1),
  messages: richMessagesSchema,
});
export type VariantInput = z.input<typeof variantInputSchema>;

export const itemInputSchema = z.strictObject({
  type: contentTypeSchema,
  name: z.string().min(1).max(200),
  tags: z.array(tagSchema).max(30).default([]),
  locale: localeSchema.nullable().optional(),
  variants: z.array(variantInputSchema).min(1).max(10),
});
export type ItemInput = z.input<typeof itemInputSchema>;

export const itemPatchSchema = z.strictObject({
  type: contentTypeSchema.optional(),
  name: z.string().min(1).max(200).optional(),
  tags: z.array(tagSchema).max(30).optional(),
  locale: localeSchema.nullable().optional(),
  variants: z.array(variantInputSchema).min(1).max(10).optional(),
});
export type ItemPatch = z.input<typeof itemPatchSchema>;

export const itemQuerySchema = z.strictObject({
  type: z.string().max(40).optional(),
  tag: z.string().max(60).optional(),
  locale: z.string().max(35).optional(),
});

/** What an experiment counts as a conversion. */
export const goalSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("node"), nodeId: z.string().min(1).max(200).describe("Reaching this node of the bot's flow") }),
  z.strictObject({ kind: z.literal("variable"), variable: z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, "a variable path like user.email").describe("This variable having a value") }),
  z.strictObject({ kind: z.literal("event"), event: z.string().min(1).max(100).describe("A custom event tracked by a node (ctx.content.track, or an action node's `track`)") }),
]);
export type Goal = z.infer<typeof goalSchema>;

export const experimentInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  itemId: z.string().min(1).max(100),
  botId: z.string().min(1).max(100),
  goal: goalSchema,
});
export type ExperimentInput = z.infer<typeof experimentInputSchema>;

export const ExperimentStatus = { running: "running", stopped: "stopped", promoted: "promoted" } as const;
export type ExperimentStatus = (typeof ExperimentStatus)[keyof typeof ExperimentStatus];
