/** The conversations room's error codes (session and turn codes: `FlowErrorCode`). */
export const ConversationErrorCode = {
  /** A message longer than MESSAGE_MAX_CHARS. */
  messageTooLong: "MESSAGE_TOO_LONG",
  /** One end user sent more messages a minute than allowed. */
  userRateLimited: "USER_RATE_LIMITED",
  /** The tenant's messages for this month are used up. */
  monthlyQuotaExhausted: "MONTHLY_QUOTA_EXHAUSTED",
  /** A browser call without the session's CSRF token. */
  csrfTokenInvalid: "CSRF_TOKEN_INVALID",
  /** The tenant started more chat sessions this minute than its tier allows. */
  sessionStartRateLimited: "SESSION_START_RATE_LIMITED",
  /** The tenant has as many session starts in progress on this node as it may. */
  sessionStartBusy: "SESSION_START_BUSY",
} as const;
