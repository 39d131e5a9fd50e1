/**
 * The content library as node handlers see it (`ctx.content`), declared once: the shape of rich
 * content (what the message node shows, what a library item holds), and what a lookup asks and
 * answers. The platform's content module implements it; the message and question node types use it.
 */
import { z } from "zod";

const delay = { delay_ms: z.number().int().min(0).max(10_000).optional().describe("Typing delay shown before this message, in milliseconds (0–10000); overrides the node's typing delay") };
const button = z.object({
  label: z.string().min(1).max(80).describe("What the button says; `{{scope.path}}` templates allowed"),
  value: z.string().min(1).max(200).describe("The value sent back when the user taps the button"),
});

/** One rich message: text, an image, or text with buttons; each with an optional typing delay. */
export const richMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("text").describe("The kind of message"),
    text: z.string().min(1).max(4096).describe("The text to send; `{{scope.path}}` templates allowed"),
    ...delay,
  }).describe("A text message"),
  z.object({
    type: z.literal("image").describe("The kind of message"),
    url: z.string().min(1).describe("The image's address (an https URL); `{{scope.path}}` templates allowed"),
    alt: z.string().optional().describe("A short text saying what the image shows, for people who cannot see it; templates allowed"),
    ...delay,
  }).describe("An image"),
  z.object({
    type: z.literal("buttons").describe("The kind of message"),
    text: z.string().min(1).max(1024).describe("The text shown with the buttons; `{{scope.path}}` templates allowed"),
    buttons: z.array(button).min(1).max(10).describe("The buttons the user can tap (1–10)"),
    ...delay,
  }).describe("A text with buttons to tap"),
]);
export const richMessagesSchema = z.array(richMessageSchema).min(1).max(20);
export type RichMessage = z.infer<typeof richMessageSchema>;

/**
 * Which item to show: one by id, or a random one carrying `tag` (in `locale` when it has one,
 * else in `fallbackLocale`, else in any locale). Templates in the item are rendered by the node.
 */
export const contentRequestSchema = z.object({
  id: z.string().optional(),
  tag: z.string().optional(),
  locale: z.string().optional(),
  fallbackLocale: z.string().optional(),
});
export type ContentRequest = z.infer<typeof contentRequestSchema>;

/** What a lookup answers: the item, the variant this user sees, and the experiment that chose it. */
export const pickedContentSchema = z.object({
  itemId: z.string(),
  type: z.string(),
  locale: z.string().nullable(),
  variantId: z.string(),
  /** Set while the item is in a running experiment: the user's impression is recorded with the turn. */
  experimentId: z.string().nullable(),
  messages: richMessagesSchema,
});
export type PickedContent = z.infer<typeof pickedContentSchema>;

/** Events of a turn the content library records (emitted once the turn is committed). */
export const ContentEvents = {
  /** An item in a running experiment was shown: `{ itemId, variantId, experimentId, userId, flowVersion, channel }`. */
  shown: "content.variant.shown",
  /** A node tracked a custom event: `{ event, userId }`. */
  tracked: "content.event.tracked",
} as const;

/** `ctx.content`: the tenant's content library, for this session's user. */
export type NodeContentLibrary = {
  /**
   * The item asked for (in the session's `context.locale` when no locale is named), in the variant this user keeps (the same for every session of the user).
   * Throws a PlatformError (`CONTENT_NOT_FOUND`, `CONTENT_TAG_EMPTY`) when there is none.
   */
  pick(request: ContentRequest): Promise<PickedContent>;
  /** Records a custom event for this session's user (an experiment's goal may be one); kept with the turn. */
  track(event: string): void;
};
