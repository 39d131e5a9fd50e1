/**
 * Every tool call an agent makes is recorded: which tool, how big its input was, how long it took
 * and how it ended. The input itself is not kept (it may hold personal data).
 */
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";

export const ToolOutcome = { ok: "ok", error: "error", denied: "denied", pending: "pending_confirmation" } as const;
export type ToolOutcome = (typeof ToolOutcome)[keyof typeof ToolOutcome];

export type ToolCallRecord = { tenantId: string; botId?: string; sessionId?: string; tool: string; inputBytes: number; latencyMs: number; outcome: ToolOutcome };

export function createToolCallLog(platform: PlatformContext) {
  // Raw SQL: these tables are append-only ledgers, read by aggregate queries, with no entity to manage.
  const sql = <T extends object[]>(query: string, params: unknown[]) => platform.db.orm.em.fork().getConnection().execute<T>(query, params);
  return {
    async record(entry: ToolCallRecord): Promise<void> {
      await sql(`insert into tool_call (tenant_id, bot_id, session_id, tool, input_bytes, latency_ms, outcome) values (?, ?, ?, ?, ?, ?, ?)`,
        [entry.tenantId, entry.botId ?? null, entry.sessionId ?? null, entry.tool.slice(0, 200), entry.inputBytes, Math.round(entry.latencyMs), entry.outcome]).catch((error: unknown) => {
        // Losing one log row must not fail the user's turn.
        platform.logger.warn({ err: error, tool: entry.tool }, "tool call could not be recorded");
      });
    },
    async list(tenantId: string, limit = 100) {
      return sql<{ tool: string; session_id: string | null; input_bytes: number; latency_ms: number; outcome: string; at: Date }[]>(
        `select tool, session_id, input_bytes, latency_ms, outcome, at from tool_call where tenant_id = ? order by at desc, id desc limit ?`, [tenantId, limit]);
    },
  };
}
export type ToolCallLog = ReturnType<typeof createToolCallLog>;
