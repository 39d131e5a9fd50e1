import { Redis } from "ioredis";
import type { PlatformConfig } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import { createMemoryCache, createRedisCache, type Cache } from "./cache.ts";
import { createRateLimiter, type RateLimiter } from "./rate-limiter.ts";
import { createCircuitBreakers, type CircuitBreakers } from "../../sdk/resilience.ts";
import { createCacheCircuitStore } from "./circuit-store.ts";

/** Cache, rate limits and circuit breakers on Redis when REDIS_URL is set; in memory (this node only) otherwise. */
export type CacheBackend = {
  cache: Cache;
  rateLimiter: RateLimiter;
  /** Circuit breakers whose state every node shares (through the cache). */
  circuits: CircuitBreakers;
  redis: Redis | undefined;
  /** Redis answers (always, without Redis). */
  isHealthy(): Promise<boolean>;
  /** True while Redis is configured but unreachable, and this node counts and caches on its own. */
  isDegraded(): boolean;
  close(): Promise<void>;
};

/**
 * With Redis, an outage must not take the platform down with it: commands fail at once while the
 * connection is down (no offline queue), the cache and the rate limiter fall back to this node's
 * memory (limits then hold per node, not per cluster), a warning says so once, and ioredis keeps
 * reconnecting in the background, from the first start too. `/ready` reports the cache degraded.
 */
export async function openCacheBackend(config: Pick<PlatformConfig, "REDIS_URL" | "REDIS_PREFIX">, logger?: Logger): Promise<CacheBackend> {
  if (!config.REDIS_URL) {
    const cache = createMemoryCache();
    return {
      cache,
      circuits: createCircuitBreakers(createCacheCircuitStore(cache)),
      rateLimiter: createRateLimiter(undefined, config.REDIS_PREFIX),
      redis: undefined,
      isHealthy: async () => true,
      isDegraded: () => false,
      close: async () => {},
    };
  }
  const log = logger?.child({ component: "cache" });
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Forever, at most every 2 s: Redis coming back is noticed within seconds.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  let degraded = false;
  const degrade = (reason: string) => {
    if (degraded) return;
    degraded = true;
    log?.warn({ reason }, "Redis is unreachable: cache, locks and rate limits are node-local until it is back");
  };
  redis.on("error", (error: Error) => degrade(error.message));
  redis.on("close", () => degrade("connection closed"));
  redis.on("ready", () => {
    if (!degraded) return;
    degraded = false;
    log?.info("Redis is back: cache and rate limits are shared by the cluster again");
  });
  await redis.connect().catch((error: Error) => degrade(error.message));

  const memory = createMemoryCache();
  const shared = createRedisCache(redis, config.REDIS_PREFIX);
  const up = () => redis.status === "ready";
  const fallback = <A extends unknown[], R>(op: (cache: Cache, ...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (!up()) return op(memory, ...args);
    try {
      return await op(shared, ...args);
    } catch (error) {
      degrade((error as Error).message);
      return op(memory, ...args);
    }
  };
  const cache: Cache = {
    get: fallback((c, key: string) => c.get(key)),
    set: fallback((c, key: string, value: string, ttl: number) => c.set(key, value, ttl)),
    setIfAbsent: fallback((c, key: string, value: string, ttl: number) => c.setIfAbsent(key, value, ttl)),
    delete: fallback((c, key: string) => c.delete(key)),
    increment: fallback((c, key: string, ttl: number, by?: number) => c.increment(key, ttl, by)),
  };
  return {
    cache,
    circuits: createCircuitBreakers(createCacheCircuitStore(cache)),
    rateLimiter: createRateLimiter(redis, config.REDIS_PREFIX),
    redis,
    async isHealthy() {
      if (!up()) return false;
      try {
        return (await redis.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    isDegraded: () => !up(),
    async close() {
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
