import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "../observability/logger.ts";
import { tenantSettingDefaults } from "../tenancy/tenant-settings.ts";

/**
 * Ends sessions idle past their tenant's TTL and deletes history past its retention, once a
 * minute. Every node runs it; the statements are idempotent, so running twice does no harm.
 */
export type SessionEndedEvent = { tenantId: string; botId: string; sessionId: string; reason: "expired" };

export function startSessionSweeper(em: () => EntityManager, logger: Logger, everyMs = 60_000, onEnded: (event: SessionEndedEvent) => void = () => {}): { stop(): void; sweep(): Promise<void> } {
  async function sweep(): Promise<void> {
    try {
      const connection = em().getConnection();
      const ended = await connection.execute<{ id: string; tenant_id: string; bot_id: string }[]>(
        `update conversation_session s set status = 'ended', ended_at = now(), revision = s.revision + 1, position = '{"nodeId":null,"frames":[]}'::jsonb
         from tenant t where t.id = s.tenant_id and s.status <> 'ended'
         and s.updated_at < now() - make_interval(days => coalesce((t.settings->>'sessionTtlDays')::int, ${tenantSettingDefaults.sessionTtlDays}))
         returning s.id, s.tenant_id, s.bot_id`,
      );
      // Subscribers hear about an expiry as they do about any other end.
      for (const row of ended) onEnded({ tenantId: row.tenant_id, botId: row.bot_id, sessionId: row.id, reason: "expired" });
      await connection.execute(
        `delete from conversation_message m using tenant t where t.id = m.tenant_id
         and m.at < now() - make_interval(days => coalesce((t.settings->>'retentionDays')::int, ${tenantSettingDefaults.retentionDays}))`,
      );
    } catch (error) {
      logger.warn({ err: error }, "session sweep failed; will try again");
    }
  }
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
