import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "../../kernel/observability/logger.ts";
import { tenantSettingDefaults } from "../../kernel/tenancy/tenant-settings.ts";

/**
 * Ends sessions idle past their tenant's TTL and deletes history past its retention, once a
 * minute. Every node runs it; the statements are idempotent, so running twice does no harm.
 */
export type SessionEndedEvent = { tenantId: string; botId: string; sessionId: string; reason: "expired" };

/**
 * The cut-off of the shortest setting any tenant has, computed once per statement. The per-tenant
 * condition alone cannot use an index, so without this bound every sweep read whole tables, once a
 * minute on every node (on the embedded database, holding its one connection while it did).
 */
function olderThanShortest(setting: "sessionTtlDays" | "retentionDays", fallback: number): string {
  return `(select now() - make_interval(days => coalesce(min(coalesce((settings->>'${setting}')::int, ${fallback})), ${fallback})) from tenant)`;
}

export function startSessionSweeper(em: () => EntityManager, logger: Logger, everyMs = 60_000, onEnded: (event: SessionEndedEvent) => void = () => {}): { stop(): void; sweep(): Promise<void> } {
  async function sweep(): Promise<void> {
    try {
      const connection = em().getConnection();
      const ended = await connection.execute<{ id: string; tenant_id: string; bot_id: string }[]>(
        `update conversation_session s set status = 'ended', ended_at = now(), revision = s.revision + 1, position = '{"nodeId":null,"frames":[]}'::jsonb
         from tenant t where t.id = s.tenant_id and s.status <> 'ended'
         and s.updated_at < now() - make_interval(days => coalesce((t.settings->>'sessionTtlDays')::int, ${tenantSettingDefaults.sessionTtlDays}))
         and s.updated_at < ${olderThanShortest("sessionTtlDays", tenantSettingDefaults.sessionTtlDays)}
         returning s.id, s.tenant_id, s.bot_id`,
      );
      // Subscribers hear about an expiry as they do about any other end.
      for (const row of ended) onEnded({ tenantId: row.tenant_id, botId: row.bot_id, sessionId: row.id, reason: "expired" });
      await connection.execute(
        `delete from conversation_message m using tenant t where t.id = m.tenant_id
         and m.at < now() - make_interval(days => coalesce((t.settings->>'retentionDays')::int, ${tenantSettingDefaults.retentionDays}))
         and m.at < ${olderThanShortest("retentionDays", tenantSettingDefaults.retentionDays)}`,
      );
    } catch (error) {
      logger.warn({ err: error }, "session sweep failed; will try again");
    }
  }
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
