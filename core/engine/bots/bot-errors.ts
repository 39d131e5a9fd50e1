/** The bots room's error codes. */
export const BotErrorCode = {
  /** No such bot (or another tenant's). */
  botNotFound: "BOT_NOT_FOUND",
  /** Publish without a saved draft. */
  noDraft: "NO_DRAFT",
} as const;
