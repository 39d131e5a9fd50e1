/** The nlp room's error codes (intents and message understanding). */
export const NlpErrorCode = {
  /** No such intent of this bot. */
  intentNotFound: "INTENT_NOT_FOUND",
  /** The bot already has an intent of that name. */
  intentNameTaken: "INTENT_NAME_TAKEN",
  /** Not a name like order_status (it becomes a connection of the intent node), or the reserved "none". */
  intentNameInvalid: "INTENT_NAME_INVALID",
  /** An intent with no example phrase, or only blank ones. */
  intentExamplesEmpty: "INTENT_EXAMPLES_EMPTY",
  /** More example phrases than an intent may have. */
  intentExamplesTooMany: "INTENT_EXAMPLES_TOO_MANY",
  /** The bot has as many intents as allowed. */
  intentLimitReached: "INTENT_LIMIT_REACHED",
} as const;
