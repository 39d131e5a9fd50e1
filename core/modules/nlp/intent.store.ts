import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * SQL for a bot's intents. Every statement names the tenant and the bot, and the service runs
 * them inside withTenantScope, so row-level security checks it again.
 */
type IntentRow = { id: string; bot_id: string; name: string; description: string | null; examples: string[]; created_at: Date | string; updated_at: Date | string };

export type IntentView = { id: string; botId: string; name: string; description?: string; examples: string[]; createdAt: string; updatedAt: string };

const columns = `id, bot_id, name, description, examples, created_at, updated_at`;

function view(row: IntentRow): IntentView {
  return {
    id: row.id, botId: row.bot_id, name: row.name, ...(row.description ? { description: row.description } : {}), examples: row.examples,
    createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function createIntentStore(em: EntityManager) {
  const sql = <T extends object[]>(query: string, params: unknown[] = []) => em.getConnection().execute<T>(query, params, "all", em.getTransactionContext());

  return {
    async botExists(tenantId: string, botId: string): Promise<boolean> {
      return (await sql(`select 1 from bot where id = ? and tenant_id = ?`, [botId, tenantId])).length > 0;
    },
    async list(tenantId: string, botId: string): Promise<IntentView[]> {
      return (await sql<IntentRow[]>(`select ${columns} from bot_intent where tenant_id = ? and bot_id = ? order by name`, [tenantId, botId])).map(view);
    },
    async count(tenantId: string, botId: string): Promise<number> {
      const [row] = await sql<{ n: string | number }[]>(`select count(*) as n from bot_intent where tenant_id = ? and bot_id = ?`, [tenantId, botId]);
      return Number(row?.n ?? 0);
    },
    async get(tenantId: string, botId: string, id: string): Promise<IntentView | undefined> {
      const [row] = await sql<IntentRow[]>(`select ${columns} from bot_intent where tenant_id = ? and bot_id = ? and id = ?`, [tenantId, botId, id]);
      return row ? view(row) : undefined;
    },
    async nameTaken(tenantId: string, botId: string, name: string, exceptId?: string): Promise<boolean> {
      const rows = await sql(`select 1 from bot_intent where tenant_id = ? and bot_id = ? and name = ? and id <> ?`, [tenantId, botId, name, exceptId ?? "00000000-0000-0000-0000-000000000000"]);
      return rows.length > 0;
    },
    async insert(row: { id: string; tenantId: string; botId: string; name: string; description?: string; examples: string[] }): Promise<IntentView> {
      const [created] = await sql<IntentRow[]>(
        `insert into bot_intent (id, tenant_id, bot_id, name, description, examples) values (?, ?, ?, ?, ?, ?::jsonb) returning ${columns}`,
        [row.id, row.tenantId, row.botId, row.name, row.description ?? null, JSON.stringify(row.examples)],
      );
      return view(created!);
    },
    async update(tenantId: string, botId: string, id: string, change: { name: string; description: string | null; examples: string[] }): Promise<IntentView | undefined> {
      const [updated] = await sql<IntentRow[]>(
        `update bot_intent set name = ?, description = ?, examples = ?::jsonb, updated_at = now() where tenant_id = ? and bot_id = ? and id = ? returning ${columns}`,
        [change.name, change.description, JSON.stringify(change.examples), tenantId, botId, id],
      );
      return updated ? view(updated) : undefined;
    },
    async remove(tenantId: string, botId: string, id: string): Promise<boolean> {
      return (await sql(`delete from bot_intent where tenant_id = ? and bot_id = ? and id = ? returning id`, [tenantId, botId, id])).length > 0;
    },
  };
}
export type IntentStore = ReturnType<typeof createIntentStore>;
