import type { PlatformConfig } from "../../kernel/config/config.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";

/**
 * A tenant's monthly message quota: counted in the cache per month (every node shares it), read by
 * the usage page beside the AI tokens. One key format for the counter and its readers.
 */
export function messageQuotaKey(tenantId: string, month = new Date().toISOString().slice(0, 7)): string {
  return `quota:${tenantId}:${month}`;
}

export function messageQuotaFor(config: Pick<PlatformConfig, "QUOTA_PAID_MESSAGES_PER_MONTH" | "QUOTA_FREE_MESSAGES_PER_MONTH">, tier: TenantTier): number {
  return tier === "paid" ? config.QUOTA_PAID_MESSAGES_PER_MONTH : config.QUOTA_FREE_MESSAGES_PER_MONTH;
}
