/**
 * Token accounting: every model call's tokens are recorded against the tenant (table llm_usage),
 * and a tenant whose tokens this month reached its tier's quota gets 429 LLM_QUOTA_EXHAUSTED
 * before any further model call.
 */
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { PlatformError } from "../../sdk/platform-error.ts";
import type { LlmUsage } from "../../sdk/llm-provider.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";
import { AiErrorCode } from "./ai-errors.ts";

export type UsageRecord = { tenantId: string; botId?: string; provider: string; model: string; usage: LlmUsage };
export type UsageRow = { month: string; provider: string; model: string; inputTokens: number; outputTokens: number; cachedTokens: number; calls: number };

function monthStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

function secondsUntilNextMonth(now = new Date()): number {
  return Math.ceil((Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()) / 1000);
}

export function createUsageLedger(platform: PlatformContext) {
  // Raw SQL: these tables are append-only ledgers, read by aggregate queries, with no entity to manage.
  const sql = <T extends object[]>(query: string, params: unknown[]) => platform.db.orm.em.fork().getConnection().execute<T>(query, params);

  return {
    async record(entry: UsageRecord): Promise<void> {
      await sql(`insert into llm_usage (tenant_id, bot_id, provider, model, input_tokens, output_tokens, cached_tokens) values (?, ?, ?, ?, ?, ?, ?)`,
        [entry.tenantId, entry.botId ?? null, entry.provider, entry.model.slice(0, 200), entry.usage.inputTokens, entry.usage.outputTokens, entry.usage.cachedTokens]);
    },

    async usedThisMonth(tenantId: string): Promise<number> {
      const rows = await sql<{ used: string | number }[]>(`select coalesce(sum(input_tokens + output_tokens), 0) as used from llm_usage where tenant_id = ? and at >= ?`, [tenantId, monthStart()]);
      return Number(rows[0]?.used ?? 0);
    },

    quotaFor(tier: TenantTier): number {
      return tier === "paid" ? platform.config.AI_TOKENS_PAID_PER_MONTH : platform.config.AI_TOKENS_FREE_PER_MONTH;
    },

    /** Throws 429 LLM_QUOTA_EXHAUSTED when this month's tokens are spent. */
    async assertQuota(tenantId: string, tier: TenantTier): Promise<void> {
      const quota = this.quotaFor(tier);
      const used = await this.usedThisMonth(tenantId);
      if (used >= quota) {
        // Not retryable: the broker's retry policy would only repeat the refusal until next month.
        throw new PlatformError(AiErrorCode.llmQuotaExhausted, `This month's ${quota} AI tokens are used up; upgrade the plan or wait for next month`, {
          status: 429, kind: "user", retryable: false, data: { retryAfterSeconds: secondsUntilNextMonth() },
        });
      }
    },

    /** Tokens by month and model, newest month first (GET /v1/admin/usage). */
    async report(tenantId: string, months = 12): Promise<UsageRow[]> {
      const since = monthStart();
      since.setUTCMonth(since.getUTCMonth() - (months - 1));
      const rows = await sql<{ month: string; provider: string; model: string; input: string; output: string; cached: string; calls: string }[]>(
        `select to_char(date_trunc('month', at at time zone 'UTC'), 'YYYY-MM') as month, provider, model,
                sum(input_tokens) as input, sum(output_tokens) as output, sum(cached_tokens) as cached, count(*) as calls
           from llm_usage where tenant_id = ? and at >= ? group by 1, 2, 3 order by 1 desc, 2, 3`, [tenantId, since]);
      return rows.map((r) => ({ month: r.month, provider: r.provider, model: r.model, inputTokens: Number(r.input), outputTokens: Number(r.output), cachedTokens: Number(r.cached), calls: Number(r.calls) }));
    },
  };
}
export type UsageLedger = ReturnType<typeof createUsageLedger>;
