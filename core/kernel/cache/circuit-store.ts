import type { CircuitStateStore } from "../../sdk/resilience.ts";
import type { Cache } from "./cache.ts";

/**
 * Circuit breaker states kept in the platform cache: Redis when configured, so a target that failed
 * on one broker node is paused on all of them; this node's memory otherwise.
 */
export function createCacheCircuitStore(cache: Cache, prefix = "circuit:"): CircuitStateStore {
  return {
    async get(key) {
      const saved = await cache.get(prefix + key);
      return saved === undefined ? undefined : JSON.parse(saved);
    },
    set: (key, state, ttlMs) => cache.set(prefix + key, JSON.stringify(state), ttlMs / 1000),
    delete: (key) => cache.delete(prefix + key),
  };
}
