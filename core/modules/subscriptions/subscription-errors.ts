/** The event webhooks module's error codes. */
export const SubscriptionErrorCode = {
  /** An event name that cannot be subscribed to. */
  unknownEvent: "WEBHOOK_UNKNOWN_EVENT",
  /** A subscription to no event. */
  noEvents: "WEBHOOK_NO_EVENTS",
  /** Not an http(s) URL, or one carrying credentials. */
  urlInvalid: "WEBHOOK_URL_INVALID",
  /** The URL points at a private or reserved address. */
  urlNotAllowed: "WEBHOOK_URL_NOT_ALLOWED",
  /** No such webhook of this tenant. */
  notFound: "WEBHOOK_NOT_FOUND",
  /** The tenant has as many webhooks as allowed. */
  limitReached: "WEBHOOK_LIMIT_REACHED",
  /** A redelivery to a disabled webhook. */
  disabled: "WEBHOOK_DISABLED",
  /** No such delivery. */
  deliveryNotFound: "DELIVERY_NOT_FOUND",
  /** A redelivery of a delivery still being attempted. */
  deliveryPending: "DELIVERY_PENDING",
} as const;
