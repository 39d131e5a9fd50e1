import { Redis } from "ioredis";
import type { PlatformConfig } from "../config/config.ts";
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
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
};

export async function openCacheBackend(config: Pick<PlatformConfig, "REDIS_URL" | "REDIS_PREFIX">): Promise<CacheBackend> {
  if (!config.REDIS_URL) {
    const cache = createMemoryCache();
    return {
      cache,
      circuits: createCircuitBreakers(createCacheCircuitStore(cache)),
      rateLimiter: createRateLimiter(undefined, config.REDIS_PREFIX),
      redis: undefined,
      isHealthy: async () => true,
      close: async () => {},
    };
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  await redis.connect();
  const cache = createRedisCache(redis, config.REDIS_PREFIX);
  return {
    cache,
    circuits: createCircuitBreakers(createCacheCircuitStore(cache)),
    rateLimiter: createRateLimiter(redis, config.REDIS_PREFIX),
    redis,
    async isHealthy() {
      try {
        return (await redis.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
