/**
 * When a queued channel event that failed is tried again, and when it becomes a dead letter.
 *
 * A failure that waiting can pass (a database or Redis outage, a node leaving, a vendor's 5xx,
 * a bug fixed by the next deploy) is retried after growing waits; the default schedule (1 s, 5 s,
 * 30 s, 2 min, then every 10 min, ten attempts) outlasts an outage of half an hour. A failure only
 * a person can fix (the bot or its channel was removed: a user error that says it is not
 * retryable) becomes a dead letter at once. Either way the event is acknowledged to the queue only
 * after the dead letter is stored.
 *
 * Weighed: JetStream's consumer `backoff` applies only to acknowledgements that time out, not to a
 * refusal (nak), and @moleculer/channels naks at once and drops after `maxRetries`; so the handler
 * decides itself and naks with the delay (`nak(ms)`, NATS 2.7.1 and later).
 */
export type InboundRetryPolicy = {
  /** Waits between attempts, in ms; the last one repeats. */
  delaysMs: readonly number[];
  /** Attempts in all, the first included, before the event becomes a dead letter. */
  maxAttempts: number;
};

export const DEFAULT_INBOUND_RETRY: InboundRetryPolicy = { delaysMs: [1000, 5000, 30_000, 120_000, 600_000], maxAttempts: 10 };

/** What failed, as a dead letter keeps it. */
export type InboundFailure = { code: string; reason: string };

export type RetryDecision = { retryInMs: number } | { deadLetter: InboundFailure };

/** After attempt number `attempt` (1 for the first) failed with `error`: wait and retry, or give up. */
export function decideRetry(policy: InboundRetryPolicy, attempt: number, error: unknown): RetryDecision {
  const failure = describeFailure(error);
  if (!canPassByWaiting(error)) return { deadLetter: failure };
  if (attempt >= policy.maxAttempts) return { deadLetter: { code: failure.code, reason: `${failure.reason} (after ${attempt} attempts)` } };
  return { retryInMs: retryDelay(policy, attempt) };
}

export function retryDelay(policy: InboundRetryPolicy, attempt: number): number {
  const delays = policy.delaysMs.length > 0 ? policy.delaysMs : DEFAULT_INBOUND_RETRY.delaysMs;
  return delays[Math.min(Math.max(attempt, 1), delays.length) - 1]!;
}

/**
 * Only a user error that says so is final; everything else (transient, internal, a plain Error) may
 * pass. A conflict (409) is not final either: the state it lost to changes (two first messages of a
 * new user race to open the session, and the loser's redelivery joins the winner's).
 */
function canPassByWaiting(error: unknown): boolean {
  const e = error as { retryable?: unknown; kind?: unknown; status?: unknown } | null;
  return !(e && e.retryable === false && e.kind === "user" && e.status !== 409);
}

export function describeFailure(error: unknown): InboundFailure {
  const e = error as { code?: unknown; type?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" && e.code ? e.code : typeof e?.type === "string" && e.type ? e.type : "INBOUND_FAILED";
  const reason = typeof e?.message === "string" && e.message ? e.message : String(error);
  return { code: code.slice(0, 100), reason: reason.slice(0, 2000) };
}
