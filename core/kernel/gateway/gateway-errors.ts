/** The HTTP edge's own error codes (what a request fails with before any service sees it). */
export const GatewayErrorCode = {
  /** No route has this method and path. */
  routeNotFound: "ROUTE_NOT_FOUND",
  /** No key in `Authorization: Bearer` or `x-api-key`. */
  missingKey: "MISSING_KEY",
  /** The key is not one we know. */
  invalidKey: "INVALID_KEY",
  /** A valid key of the wrong kind for this endpoint (a widget key on the admin API). */
  wrongKeyKind: "WRONG_KEY_KIND",
  /** The page's origin is not among the tenant's allowed domains. */
  originNotAllowed: "ORIGIN_NOT_ALLOWED",
  /** The tenant's requests per minute are used up. */
  tenantRateLimited: "TENANT_RATE_LIMITED",
  /** The request came back through the platform more than LOOP_MAX_DEPTH times (a bot calling itself). */
  loopDetected: "LOOP_DETECTED",
  /** A dependency is down; try again later. */
  serviceUnavailable: "SERVICE_UNAVAILABLE",
  /** The request cannot be read as HTTP (Fastify's 4xx without a code of ours). */
  badRequest: "BAD_REQUEST",
  /** The body is not JSON, or is empty with a JSON content type. */
  invalidJson: "INVALID_JSON",
  /** The content type is not one the route accepts. */
  unsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
  /** The Content-Length header does not match the body. */
  invalidContentLength: "INVALID_CONTENT_LENGTH",
  /** The multipart body cannot be read (boundary). */
  multipartInvalid: "MULTIPART_INVALID",
  /** A multipart form field is given twice. */
  multipartFieldRepeated: "MULTIPART_FIELD_REPEATED",
} as const;
