/** The content library's error codes: items, their variants, and experiments. */
export const ContentErrorCode = {
  /** No such item in this tenant's library (another tenant's looks the same). */
  notFound: "CONTENT_NOT_FOUND",
  /** No item carries the tag asked for (in the locale, its fallback, or without a locale). */
  tagEmpty: "CONTENT_TAG_EMPTY",
  /** Every variant of an item has weight 0, so none could ever be shown. */
  weightsAllZero: "CONTENT_WEIGHTS_ALL_ZERO",
  /** Two variants of an item share an id. */
  variantDuplicate: "CONTENT_VARIANT_DUPLICATE",
  /** A variant id the item does not have. */
  variantUnknown: "CONTENT_VARIANT_UNKNOWN",
  /** No such experiment of this tenant. */
  experimentNotFound: "EXPERIMENT_NOT_FOUND",
  /** The item is in a running experiment already; stop or promote it first. */
  experimentAlreadyRunning: "EXPERIMENT_ALREADY_RUNNING",
  /** An experiment needs an item with at least two variants of positive weight. */
  experimentNeedsVariants: "EXPERIMENT_NEEDS_VARIANTS",
  /** The experiment was stopped or promoted already. */
  experimentClosed: "EXPERIMENT_CLOSED",
  /** The goal node was in an older published version of the bot's flow and is deleted in the latest. */
  goalNodeDeleted: "EXPERIMENT_GOAL_NODE_DELETED",
  /** The goal node is in no published version of the bot's flow. */
  goalNodeUnknown: "EXPERIMENT_GOAL_NODE_UNKNOWN",
} as const;
