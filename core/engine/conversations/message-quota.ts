import type { PlatformConfig } from "../../kernel/config/config.ts";
import type { Cache } from "../../kernel/cache/cache.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";

/**
 * A tenant's monthly message quota. PostgreSQL holds the truth (`tenant_message_count`); the cache
 * holds the counter every message increments, shared by the nodes. Each node adds what it counted
 * to PostgreSQL in batches (every few seconds and when it stops) rather than per message, which
 * would add a write to every turn. A counter the cache does not have (a new month, or Redis was
 * wiped or is down) starts from what PostgreSQL holds plus what this node has not written yet, so
 * a lost cache costs at most a few seconds of another node's counts, not the month.
 */
export function messageQuotaKey(tenantId: string, month = currentMonth()): string {
  return `quota:${tenantId}:${month}`;
}

export function messageQuotaFor(config: Pick<PlatformConfig, "QUOTA_PAID_MESSAGES_PER_MONTH" | "QUOTA_FREE_MESSAGES_PER_MONTH">, tier: TenantTier): number {
  return tier === "paid" ? config.QUOTA_PAID_MESSAGES_PER_MONTH : config.QUOTA_FREE_MESSAGES_PER_MONTH;
}

function currentMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

const COUNTER_TTL_SECONDS = 32 * 24 * 3600;

type Sql = <T>(text: string, params: unknown[]) => Promise<T>;

export type MessageCounter = {
  /** Counts one message of the tenant's end users; answers the month's count so far, this one included. */
  count(tenantId: string): Promise<number>;
  /** The month's count, from the cache, else from PostgreSQL and this node's unwritten counts. */
  used(tenantId: string): Promise<number>;
  /** Writes this node's counts to PostgreSQL. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left. */
  close(): Promise<void>;
};

export function createMessageCounter(deps: { cache: Cache; sql: Sql; flushEveryMs?: number; onError?: (error: unknown) => void }): MessageCounter {
  const unwritten = new Map<string, number>(); // `${tenantId} ${month}` → messages counted here, not yet in PostgreSQL
  const keyOf = (tenantId: string, month: string) => `${tenantId} ${month}`;

  async function stored(tenantId: string, month: string): Promise<number> {
    const rows = await deps.sql<{ count: string | number }[]>(`select count from tenant_message_count where tenant_id = ? and month = ?`, [tenantId, month]);
    return Number(rows[0]?.count ?? 0);
  }

  async function flush(): Promise<void> {
    const batch = [...unwritten];
    unwritten.clear();
    for (const [key, added] of batch) {
      const [tenantId, month] = key.split(" ") as [string, string];
      try {
        await deps.sql(`insert into tenant_message_count (tenant_id, month, count) values (?, ?, ?)
          on conflict (tenant_id, month) do update set count = tenant_message_count.count + excluded.count, updated_at = now()`, [tenantId, month, added]);
      } catch (error) {
        // Kept for the next flush: a database blink must not lose counts.
        unwritten.set(key, (unwritten.get(key) ?? 0) + added);
        deps.onError?.(error);
      }
    }
  }

  const timer = setInterval(() => void flush(), deps.flushEveryMs ?? 5_000);
  timer.unref();

  return {
    async count(tenantId) {
      const month = currentMonth();
      const key = keyOf(tenantId, month);
      unwritten.set(key, (unwritten.get(key) ?? 0) + 1);
      const cacheKey = messageQuotaKey(tenantId, month);
      const counted = await deps.cache.increment(cacheKey, COUNTER_TTL_SECONDS);
      if (counted !== 1) return counted;
      // Only the caller that made the counter sees 1, so only one rebuilds it.
      const before = await stored(tenantId, month) + (unwritten.get(key) ?? 1) - 1;
      return before > 0 ? deps.cache.increment(cacheKey, COUNTER_TTL_SECONDS, before) : counted;
    },
    async used(tenantId) {
      const month = currentMonth();
      const cached = await deps.cache.get(messageQuotaKey(tenantId, month));
      return cached !== undefined ? Number(cached) : await stored(tenantId, month) + (unwritten.get(keyOf(tenantId, month)) ?? 0);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
