/** The analytics module's error codes. */
export const AnalyticsErrorCode = {
  /** `from` is after `to`. */
  rangeReversed: "ANALYTICS_RANGE_REVERSED",
  /** A range longer than a year (366 days). */
  rangeTooLong: "ANALYTICS_RANGE_TOO_LONG",
  /** Figures by hour asked for more than 31 days. */
  hourlyRangeTooLong: "ANALYTICS_HOURLY_RANGE_TOO_LONG",
  /** A node id that is not in the bot's flow version and was never recorded. */
  unknownNode: "ANALYTICS_UNKNOWN_NODE",
  /** A funnel from a node to itself. */
  funnelSameNode: "ANALYTICS_FUNNEL_SAME_NODE",
} as const;
