import type { EntityManager } from "@mikro-orm/postgresql";
import type { RichMessage } from "../../sdk/content-contract.ts";
import type { ExperimentStatus, Goal } from "./content-schemas.ts";

/**
 * SQL for the content library and its experiments. Every statement names the tenant, and the
 * service runs them inside `withTenantScope`, so PostgreSQL checks it too.
 */
export type Variant = { id: string; name: string; weight: number; messages: RichMessage[] };
export type ContentItem = {
  id: string; type: string; name: string; tags: string[]; locale: string | null; variants: Variant[];
  winnerVariantId: string | null; createdAt: string; updatedAt: string;
};
export type Experiment = {
  id: string; itemId: string; botId: string; name: string; goal: Goal; status: ExperimentStatus; winnerVariantId: string | null;
  startedAt: string; endedAt: string | null;
};
export type VariantCounts = { variantId: string; impressions: number; conversions: number; shows: number };

type ItemRow = {
  id: string; type: string; name: string; tags: string[]; locale: string | null; variants: Variant[]; winner_variant_id: string | null;
  created_at: Date | string; updated_at: Date | string;
};
type ExperimentRow = {
  id: string; item_id: string; bot_id: string; name: string; goal: Goal; status: ExperimentStatus; winner_variant_id: string | null;
  started_at: Date | string; ended_at: Date | string | null;
};

const itemColumns = `id, type, name, tags, locale, variants, winner_variant_id, created_at, updated_at`;
const experimentColumns = `id, item_id, bot_id, name, goal, status, winner_variant_id, started_at, ended_at`;
const iso = (d: Date | string) => new Date(d).toISOString();

const itemOf = (row: ItemRow): ContentItem => ({
  id: row.id, type: row.type, name: row.name, tags: row.tags, locale: row.locale, variants: row.variants,
  winnerVariantId: row.winner_variant_id, createdAt: iso(row.created_at), updatedAt: iso(row.updated_at),
});
const experimentOf = (row: ExperimentRow): Experiment => ({
  id: row.id, itemId: row.item_id, botId: row.bot_id, name: row.name, goal: row.goal, status: row.status, winnerVariantId: row.winner_variant_id,
  startedAt: iso(row.started_at), endedAt: row.ended_at === null ? null : iso(row.ended_at),
});

export function createContentStore(em: () => EntityManager) {
  // Inside withTenantScope `em()` is the scope's transaction: its context keeps the statement in it.
  const sql = <T extends object[]>(query: string, params: unknown[] = []) => {
    const manager = em();
    return manager.getConnection().execute<T>(query, params, "all", manager.getTransactionContext());
  };

  return {
    async insertItem(tenantId: string, item: Omit<ContentItem, "createdAt" | "updatedAt" | "winnerVariantId">): Promise<ContentItem> {
      const [row] = await sql<ItemRow[]>(
        `insert into content_item (id, tenant_id, type, name, tags, locale, variants) values (?, ?, ?, ?, ?::jsonb, ?, ?::jsonb) returning ${itemColumns}`,
        [item.id, tenantId, item.type, item.name, JSON.stringify(item.tags), item.locale, JSON.stringify(item.variants)],
      );
      return itemOf(row!);
    },

    async listItems(tenantId: string, filter: { type?: string; tag?: string; locale?: string }): Promise<ContentItem[]> {
      const where = ["tenant_id = ?"];
      const params: unknown[] = [tenantId];
      if (filter.type !== undefined) { where.push("type = ?"); params.push(filter.type); }
      if (filter.tag !== undefined) { where.push("tags @> ?::jsonb"); params.push(JSON.stringify([filter.tag])); }
      if (filter.locale !== undefined) { where.push("locale = ?"); params.push(filter.locale); }
      return (await sql<ItemRow[]>(`select ${itemColumns} from content_item where ${where.join(" and ")} order by created_at, id limit 1000`, params)).map(itemOf);
    },

    /** Which of these item ids and tags the tenant's library has (ids as text: a name that is no uuid simply is not there). */
    async existingReferences(tenantId: string, ids: readonly string[], tags: readonly string[]): Promise<{ ids: string[]; tags: string[] }> {
      const idRows = ids.length === 0 ? [] : await sql<{ id: string }[]>(
        `select id::text as id from content_item where tenant_id = ? and id::text in (select jsonb_array_elements_text(?::jsonb))`, [tenantId, JSON.stringify(ids)]);
      const tagRows = tags.length === 0 ? [] : await sql<{ tag: string }[]>(
        `select distinct t as tag from content_item, jsonb_array_elements_text(tags) t where tenant_id = ? and t in (select jsonb_array_elements_text(?::jsonb))`, [tenantId, JSON.stringify(tags)]);
      return { ids: idRows.map((r) => r.id), tags: tagRows.map((r) => r.tag) };
    },

    async getItem(tenantId: string, id: string): Promise<ContentItem | undefined> {
      const [row] = await sql<ItemRow[]>(`select ${itemColumns} from content_item where id = ? and tenant_id = ?`, [id, tenantId]);
      return row ? itemOf(row) : undefined;
    },

    async updateItem(tenantId: string, id: string, item: Pick<ContentItem, "type" | "name" | "tags" | "locale" | "variants" | "winnerVariantId">): Promise<ContentItem | undefined> {
      const [row] = await sql<ItemRow[]>(
        `update content_item set type = ?, name = ?, tags = ?::jsonb, locale = ?, variants = ?::jsonb, winner_variant_id = ?, updated_at = now()
         where id = ? and tenant_id = ? returning ${itemColumns}`,
        [item.type, item.name, JSON.stringify(item.tags), item.locale, JSON.stringify(item.variants), item.winnerVariantId, id, tenantId],
      );
      return row ? itemOf(row) : undefined;
    },

    async setWinner(tenantId: string, id: string, variantId: string | null): Promise<void> {
      await sql(`update content_item set winner_variant_id = ?, updated_at = now() where id = ? and tenant_id = ?`, [variantId, id, tenantId]);
    },

    async deleteItem(tenantId: string, id: string): Promise<boolean> {
      return (await sql<{ id: string }[]>(`delete from content_item where id = ? and tenant_id = ? returning id`, [id, tenantId])).length > 0;
    },

    /** The ids and locales of the items carrying `tag`. */
    async taggedItems(tenantId: string, tag: string): Promise<{ id: string; locale: string | null }[]> {
      return sql(`select id, locale from content_item where tenant_id = ? and tags @> ?::jsonb limit 5000`, [tenantId, JSON.stringify([tag])]);
    },

    async insertExperiment(tenantId: string, experiment: Pick<Experiment, "id" | "itemId" | "botId" | "name" | "goal">): Promise<Experiment> {
      const [row] = await sql<ExperimentRow[]>(
        `insert into content_experiment (id, tenant_id, item_id, bot_id, name, goal, status) values (?, ?, ?, ?, ?, ?::jsonb, 'running') returning ${experimentColumns}`,
        [experiment.id, tenantId, experiment.itemId, experiment.botId, experiment.name, JSON.stringify(experiment.goal)],
      );
      return experimentOf(row!);
    },

    async listExperiments(tenantId: string, filter: { itemId?: string; botId?: string; status?: ExperimentStatus }): Promise<Experiment[]> {
      const where = ["tenant_id = ?"];
      const params: unknown[] = [tenantId];
      if (filter.itemId !== undefined) { where.push("item_id = ?"); params.push(filter.itemId); }
      if (filter.botId !== undefined) { where.push("bot_id = ?"); params.push(filter.botId); }
      if (filter.status !== undefined) { where.push("status = ?"); params.push(filter.status); }
      return (await sql<ExperimentRow[]>(`select ${experimentColumns} from content_experiment where ${where.join(" and ")} order by started_at desc, id limit 1000`, params)).map(experimentOf);
    },

    async getExperiment(tenantId: string, id: string): Promise<Experiment | undefined> {
      const [row] = await sql<ExperimentRow[]>(`select ${experimentColumns} from content_experiment where id = ? and tenant_id = ?`, [id, tenantId]);
      return row ? experimentOf(row) : undefined;
    },

    async runningExperimentOfItem(tenantId: string, itemId: string): Promise<Experiment | undefined> {
      const [row] = await sql<ExperimentRow[]>(`select ${experimentColumns} from content_experiment where item_id = ? and tenant_id = ? and status = 'running'`, [itemId, tenantId]);
      return row ? experimentOf(row) : undefined;
    },

    async runningExperimentsOfBot(tenantId: string, botId: string): Promise<Experiment[]> {
      return (await sql<ExperimentRow[]>(`select ${experimentColumns} from content_experiment where tenant_id = ? and bot_id = ? and status = 'running'`, [tenantId, botId])).map(experimentOf);
    },

    /** Closes a running experiment; undefined when it was not running (closed meanwhile). */
    async closeExperiment(tenantId: string, id: string, status: Exclude<ExperimentStatus, "running">, winnerVariantId: string | null): Promise<Experiment | undefined> {
      const [row] = await sql<ExperimentRow[]>(
        `update content_experiment set status = ?, winner_variant_id = ?, ended_at = now() where id = ? and tenant_id = ? and status = 'running' returning ${experimentColumns}`,
        [status, winnerVariantId, id, tenantId],
      );
      return row ? experimentOf(row) : undefined;
    },

    /** The user's first impression fixes their row; later ones only count as shows. */
    async recordImpression(tenantId: string, experimentId: string, userKey: string, variantId: string): Promise<void> {
      await sql(
        `insert into content_impression (experiment_id, tenant_id, user_key, variant_id) select ?, ?, ?, ?
         where exists (select 1 from content_experiment where id = ? and tenant_id = ? and status = 'running')
         on conflict (experiment_id, user_key) do update set shows = content_impression.shows + 1`,
        [experimentId, tenantId, userKey, variantId, experimentId, tenantId],
      );
    },

    async recordConversion(tenantId: string, experimentId: string, userKey: string): Promise<void> {
      await sql(
        `insert into content_conversion (experiment_id, tenant_id, user_key) select ?, ?, ?
         where exists (select 1 from content_experiment where id = ? and tenant_id = ? and status = 'running')
         on conflict (experiment_id, user_key) do nothing`,
        [experimentId, tenantId, userKey, experimentId, tenantId],
      );
    },

    /** Per variant: users shown it, those of them who reached the goal, and how often it was shown. */
    async counts(tenantId: string, experimentId: string): Promise<VariantCounts[]> {
      const rows = await sql<{ variant_id: string; impressions: string | number; conversions: string | number; shows: string | number }[]>(
        `select i.variant_id, count(*) as impressions, count(c.user_key) as conversions, sum(i.shows) as shows
         from content_impression i left join content_conversion c on c.experiment_id = i.experiment_id and c.user_key = i.user_key
         where i.experiment_id = ? and i.tenant_id = ? group by i.variant_id`,
        [experimentId, tenantId],
      );
      return rows.map((r) => ({ variantId: r.variant_id, impressions: Number(r.impressions), conversions: Number(r.conversions), shows: Number(r.shows) }));
    },

    /** A session's user and variables, for goals reached in it. */
    async session(tenantId: string, sessionId: string): Promise<{ userId: string; variables: Record<string, Record<string, unknown>> } | undefined> {
      const [row] = await sql<{ user_id: string; variables: Record<string, Record<string, unknown>> }[]>(
        `select user_id, variables from conversation_session where id = ? and tenant_id = ?`, [sessionId, tenantId],
      );
      return row ? { userId: row.user_id, variables: row.variables } : undefined;
    },
  };
}
export type ContentStore = ReturnType<typeof createContentStore>;
