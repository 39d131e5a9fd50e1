import { Redis } from "ioredis";
import type { PlatformConfig } from "../config/config.ts";
import { createMemoryCache, createRedisCache, type Cache } from "./cache.ts";
import { createRateLimiter, type RateLimiter } from "./rate-limiter.ts";

/** Cache and rate limits on Redis when REDIS_URL is set; in memory (this node only) otherwise. */
export type CacheBackend = {
  cache: Cache;
  rateLimiter: RateLimiter;
  redis: Redis | undefined;
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
};

export async function openCacheBackend(config: Pick<PlatformConfig, "REDIS_URL" | "REDIS_PREFIX">): Promise<CacheBackend> {
  if (!config.REDIS_URL) {
    return {
      cache: createMemoryCache(),
      rateLimiter: createRateLimiter(undefined, config.REDIS_PREFIX),
      redis: undefined,
      isHealthy: async () => true,
      close: async () => {},
    };
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  await redis.connect();
  return {
    cache: createRedisCache(redis, config.REDIS_PREFIX),
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
