/**
 * Retries, backoff and circuit breakers: the one place the platform and its plugins get them, built
 * on cockatiel (a kept library with no dependencies of its own, so the SDK stays light).
 *
 * - `retryWithBackoff` runs a call again after failures worth another try, waiting `baseMs`, then
 *   twice that, and so on (capped), or as long as the failure asks (Retry-After);
 * - `createCircuitBreakers` keeps one breaker per key: after `threshold` failures in a row it
 *   opens and refuses calls at once for `resetMs`, then lets one trial through (half-open):
 *   success closes it, failure opens it again. Its state lives in a `CircuitStateStore`: this
 *   process's memory by default; the platform hands nodes one kept in its cache, which is Redis
 *   when one is configured, so every broker node sees the same open circuit.
 */
import {
  BrokenCircuitError, CircuitState, ConsecutiveBreaker, DelegateBackoff, circuitBreaker, handleAll, handleWhen, retry,
  type IRetryContext,
} from "cockatiel";
import { ErrorKind, PlatformError, isPlatformError } from "./platform-error.ts";

export type RetryOptions = {
  /** Tries after the first one. */
  retries: number;
  /** The first wait; each later one doubles. */
  baseMs: number;
  /** The longest wait (default 30 s). */
  maxMs?: number;
  /** Which failures are worth another try; by default a platform error's `retryable`, and any other error. */
  retryable?: (error: unknown) => boolean;
  /** A wait the failure itself asks for (a Retry-After), used instead of the doubling one. */
  askedWaitMs?: (error: unknown) => number | undefined;
  /** Called before each wait (for a log line). */
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  /** Once aborted, no further try is made (the call fails with the last error). */
  signal?: AbortSignal;
};

export const isRetryable = (error: unknown): boolean => (isPlatformError(error) ? error.retryable : true);

/** Runs `fn` (given the attempt number, 0 for the first) until it succeeds or may not be tried again. */
export async function retryWithBackoff<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxMs = options.maxMs ?? 30_000;
  const retryable = options.retryable ?? isRetryable;
  const waitFor = (error: unknown, attempt: number) => Math.min(maxMs, options.askedWaitMs?.(error) ?? options.baseMs * 2 ** (attempt - 1));
  const policy = retry(handleWhen((error) => retryable(error)), {
    maxAttempts: options.retries,
    backoff: new DelegateBackoff((context) => waitFor("error" in context.result ? context.result.error : undefined, context.attempt)),
  });
  let lastError: unknown;
  policy.onRetry((event) => {
    if (!("error" in event)) return;
    lastError = event.error;
    options.onRetry?.(event.error, event.attempt, event.delay);
  });
  // cockatiel does not cut a wait short when the signal fires; the try after it is then not made.
  return policy.execute(({ attempt }: IRetryContext) => {
    if (attempt > 0 && options.signal?.aborted) throw lastError;
    return fn(attempt);
  }, options.signal);
}

export type CircuitOptions = { threshold: number; resetMs: number };

/** What an open circuit answers: the call was not made. */
export class CircuitOpenError extends PlatformError {
  constructor(key: string) {
    super("CIRCUIT_OPEN", "Calls to this target are paused after repeated failures", { status: 503, kind: ErrorKind.transient, retryable: false, data: { circuit: key } });
  }
}

/** Where breaker states are kept, as cockatiel serialises them; `undefined` is a closed, clean circuit. */
export type CircuitStateStore = {
  get(key: string): Promise<unknown>;
  set(key: string, state: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
};

export type CircuitBreakers = {
  /** Runs `fn` through the key's breaker; throws `CircuitOpenError` without calling it while open. */
  run<T>(key: string, options: CircuitOptions, fn: () => Promise<T>): Promise<T>;
  state(key: string, options: CircuitOptions): Promise<"closed" | "open" | "half-open">;
};

/** A store in this process's memory, holding at most `maxCircuits` keys (the oldest go first). */
export function createMemoryCircuitStore(maxCircuits = 10_000): CircuitStateStore {
  const states = new Map<string, { state: unknown; expiresAt: number }>();
  return {
    async get(key) {
      const entry = states.get(key);
      if (entry && entry.expiresAt <= Date.now()) states.delete(key);
      return entry && entry.expiresAt > Date.now() ? entry.state : undefined;
    },
    async set(key, state, ttlMs) {
      states.delete(key);
      if (states.size >= maxCircuits) states.delete(states.keys().next().value as string);
      states.set(key, { state, expiresAt: Date.now() + ttlMs });
    },
    async delete(key) {
      states.delete(key);
    },
  };
}

// cockatiel's serialised state (`CircuitBreakerPolicy.toJSON`): read only to tell a trial is due.
type Saved = { ownState: { value: CircuitState; openedAt?: number; attemptNo?: number }; breakerState: unknown };

export function createCircuitBreakers(store: CircuitStateStore = createMemoryCircuitStore()): CircuitBreakers {
  const breakerFor = async (key: string, options: CircuitOptions) => {
    const saved = (await store.get(key)) as Saved | undefined;
    return { saved, policy: circuitBreaker(handleAll, { halfOpenAfter: options.resetMs, breaker: new ConsecutiveBreaker(options.threshold), ...(saved ? { initialState: saved } : {}) }) };
  };
  // Long enough that an open circuit outlives its pause; a closed one with failures forgets them after a while.
  const ttlOf = (options: CircuitOptions) => Math.max(options.resetMs * 4, 60_000);
  return {
    async run(key, options, fn) {
      const { saved, policy } = await breakerFor(key, options);
      const open = saved?.ownState.value === CircuitState.Open;
      if (open && Date.now() - (saved.ownState.openedAt ?? 0) < options.resetMs) throw new CircuitOpenError(key);
      // This call is the trial: the others (on any node) see the circuit open until it is decided.
      if (open) await store.set(key, { ...saved, ownState: { ...saved.ownState, openedAt: Date.now() } }, ttlOf(options));
      try {
        return await policy.execute(fn);
      } catch (error) {
        if (error instanceof BrokenCircuitError) throw new CircuitOpenError(key);
        throw error;
      } finally {
        const state = policy.toJSON() as Saved;
        if (state.ownState.value === CircuitState.Closed && !state.breakerState) await store.delete(key);
        else await store.set(key, state, ttlOf(options));
      }
    },
    async state(key, options) {
      const saved = (await store.get(key)) as Saved | undefined;
      if (saved?.ownState.value !== CircuitState.Open) return "closed";
      return Date.now() - (saved.ownState.openedAt ?? 0) < options.resetMs ? "open" : "half-open";
    },
  };
}
