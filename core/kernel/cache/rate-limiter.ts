import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Redis } from "ioredis";

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Fixed-window limits keyed by anything (tenant, end user, phone). Redis-backed limits hold across nodes. */
export type RateLimiter = {
  consume(key: string, points: number, perSeconds: number): Promise<RateLimitDecision>;
  /** Whether `consume` would be refused now, without spending a point (limits that count failures only). */
  check(key: string, points: number, perSeconds: number): Promise<RateLimitDecision>;
  /** Forgets what `key` spent (a successful sign-in clears its failures). */
  reset(key: string, points: number, perSeconds: number): Promise<void>;
};

export function createRateLimiter(redis: Redis | undefined, prefix: string): RateLimiter {
  // One limiter per (points, window): the library fixes both at construction.
  const limiters = new Map<string, RateLimiterMemory | RateLimiterRedis>();
  const limiterFor = (points: number, duration: number) => {
    const id = `${points}/${duration}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const keyPrefix = `${prefix}rl:${id}`;
      // While Redis is unreachable the insurance limiter counts in this node's memory, so limits
      // still hold (per node) instead of every request failing.
      limiter = redis
        ? new RateLimiterRedis({ storeClient: redis, useRedisPackage: false, points, duration, keyPrefix, insuranceLimiter: new RateLimiterMemory({ points, duration, keyPrefix }) })
        : new RateLimiterMemory({ points, duration, keyPrefix });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return {
    async consume(key, points, perSeconds) {
      try {
        await limiterFor(points, perSeconds).consume(key);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        }
        throw rejection;
      }
    },
    async check(key, points, perSeconds) {
      const spent = await limiterFor(points, perSeconds).get(key);
      if (!spent || spent.consumedPoints < points) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(spent.msBeforeNext / 1000)) };
    },
    async reset(key, points, perSeconds) {
      await limiterFor(points, perSeconds).delete(key);
    },
  };
}
