import type { Redis } from "ioredis";

/** A small key-value cache with expiry. Redis when configured, so every node sees the same entries. */
export type Cache = {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets only when absent; true when this call set it. The basis of locks and dedupe. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds `by` (one by default) and returns the new count; the count expires `ttlSeconds` after it was first made. */
  increment(key: string, ttlSeconds: number, by?: number): Promise<number>;
};

export function createMemoryCache(): Cache & { clear(): void } {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  // Expired entries are dropped lazily on read and by this sweep, so an idle cache does not grow.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlSeconds) {
      entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    },
    async setIfAbsent(key, value, ttlSeconds) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
      return true;
    },
    async delete(key) {
      entries.delete(key);
    },
    async increment(key, ttlSeconds, by = 1) {
      const entry = live(key);
      const count = (entry ? Number(entry.value) : 0) + by;
      entries.set(key, { value: String(count), expiresAt: entry?.expiresAt ?? Date.now() + ttlSeconds * 1000 });
      return count;
    },
    clear() {
      entries.clear();
    },
  };
}

export function createRedisCache(redis: Redis, prefix: string): Cache {
  return {
    async get(key) {
      return (await redis.get(prefix + key)) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      await redis.set(prefix + key, value, "PX", Math.max(1, Math.round(ttlSeconds * 1000)));
    },
    async setIfAbsent(key, value, ttlSeconds) {
      return (await redis.set(prefix + key, value, "PX", Math.max(1, Math.round(ttlSeconds * 1000)), "NX")) === "OK";
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
    async increment(key, ttlSeconds, by = 1) {
      const [[, count]] = (await redis.multi().incrby(prefix + key, by).pexpire(prefix + key, Math.round(ttlSeconds * 1000), "NX").exec()) as [[unknown, number]];
      return count;
    },
  };
}
