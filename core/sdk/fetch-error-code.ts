/**
 * The codes HTTP through the platform's SSRF guard fails with (`ctx.fetch`, the sandbox's fetch,
 * webhook deliveries, crawls). Callers tell refusals (never retried) from failures by them.
 */
export const FetchErrorCode = {
  /** The address is private, reserved or not among the hosts allowed. */
  ssrfBlocked: "SSRF_BLOCKED",
  /** Not a URL, or a URL carrying credentials. */
  invalidUrl: "FETCH_INVALID_URL",
  /** A method or header that is not valid HTTP. */
  invalidRequest: "FETCH_INVALID_REQUEST",
  /** The call took longer than its timeout. */
  timeout: "FETCH_TIMEOUT",
  /** The connection failed, the response was cut off, or a redirect pointed nowhere valid. */
  failed: "FETCH_FAILED",
  /** The response is larger than the caller's limit. */
  tooLarge: "FETCH_TOO_LARGE",
  /** More redirects than the caller allows. */
  redirectLimit: "FETCH_REDIRECT_LIMIT",
} as const;
export type FetchErrorCode = (typeof FetchErrorCode)[keyof typeof FetchErrorCode];
