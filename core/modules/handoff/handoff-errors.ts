/** Human handoff's error codes (409 unless said otherwise). */
export const HandoffErrorCode = {
  /** No conversation of that id in this tenant (another tenant's looks the same): 404. */
  conversationNotFound: "CONVERSATION_NOT_FOUND",
  /** Another agent claimed the conversation first; the answer names who. */
  alreadyClaimed: "HANDOFF_ALREADY_CLAIMED",
  /** The conversation is not waiting for a person (the bot has it, or it ended). */
  notWaiting: "HANDOFF_NOT_WAITING",
  /** The conversation waits for a person but nobody claimed it yet: claim it before answering. */
  notClaimed: "HANDOFF_NOT_CLAIMED",
  /** Another agent holds the conversation; only they answer it or hand it back. */
  claimedByOther: "HANDOFF_CLAIMED_BY_OTHER",
} as const;
