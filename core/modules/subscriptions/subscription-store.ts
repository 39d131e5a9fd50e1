import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * SQL for subscriptions and the delivery log. Every statement names the tenant, so one tenant's
 * call can never read or change another's rows.
 */
export const DeliveryStatus = { pending: "pending", delivered: "delivered", failed: "failed" } as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

type SubscriptionRow = { id: string; tenant_id: string; url: string; events: string[]; enabled: boolean; created_at: Date; updated_at: Date };
type DeliveryRow = {
  id: string; subscription_id: string; event: string; payload: Record<string, unknown>; status: DeliveryStatus; attempts: number;
  next_attempt_at: Date | null; last_status_code: number | null; last_error: string | null; created_at: Date; delivered_at: Date | null;
};

/** What the admin API shows of a subscription: never its secret. */
export type SubscriptionView = { id: string; url: string; events: string[]; enabled: boolean; createdAt: string; updatedAt: string };
export type DeliveryView = {
  id: string; subscriptionId: string; event: string; status: DeliveryStatus; attempts: number; nextAttemptAt: string | null;
  lastStatusCode: number | null; lastError: string | null; createdAt: string; deliveredAt: string | null; payload: Record<string, unknown>;
};

const subscriptionColumns = `id, tenant_id, url, events, enabled, created_at, updated_at`;
const deliveryColumns = `id, subscription_id, event, payload, status, attempts, next_attempt_at, last_status_code, last_error, created_at, delivered_at`;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function subscriptionView(row: SubscriptionRow): SubscriptionView {
  return { id: row.id, url: row.url, events: row.events, enabled: row.enabled, createdAt: iso(row.created_at)!, updatedAt: iso(row.updated_at)! };
}

function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id, subscriptionId: row.subscription_id, event: row.event, status: row.status, attempts: row.attempts,
    nextAttemptAt: row.status === DeliveryStatus.pending ? iso(row.next_attempt_at) : null, lastStatusCode: row.last_status_code,
    lastError: row.last_error, createdAt: iso(row.created_at)!, deliveredAt: iso(row.delivered_at), payload: row.payload,
  };
}

export function createSubscriptionStore(em: () => EntityManager) {
  // Inside withTenantScope `em()` is the scope's transaction: its context keeps the statement in it.
  const sql = <T extends object[]>(query: string, params: unknown[] = []) => {
    const manager = em();
    return manager.getConnection().execute<T>(query, params, "all", manager.getTransactionContext());
  };

  return {
    async create(row: { id: string; tenantId: string; url: string; events: string[]; secretSealed: string; enabled: boolean }): Promise<SubscriptionView> {
      const [created] = await sql<SubscriptionRow[]>(
        `insert into event_subscription (id, tenant_id, url, events, secret_sealed, enabled) values (?, ?, ?, ?::jsonb, ?, ?) returning ${subscriptionColumns}`,
        [row.id, row.tenantId, row.url, JSON.stringify(row.events), row.secretSealed, row.enabled],
      );
      return subscriptionView(created!);
    },

    async count(tenantId: string): Promise<number> {
      const [row] = await sql<{ n: string | number }[]>(`select count(*) as n from event_subscription where tenant_id = ?`, [tenantId]);
      return Number(row?.n ?? 0);
    },

    async list(tenantId: string): Promise<SubscriptionView[]> {
      return (await sql<SubscriptionRow[]>(`select ${subscriptionColumns} from event_subscription where tenant_id = ? order by created_at, id`, [tenantId])).map(subscriptionView);
    },

    async get(tenantId: string, id: string): Promise<SubscriptionView | undefined> {
      const [row] = await sql<SubscriptionRow[]>(`select ${subscriptionColumns} from event_subscription where id = ? and tenant_id = ?`, [id, tenantId]);
      return row ? subscriptionView(row) : undefined;
    },

    async update(tenantId: string, id: string, changes: { url?: string; events?: string[]; enabled?: boolean }): Promise<SubscriptionView | undefined> {
      const [row] = await sql<SubscriptionRow[]>(
        `update event_subscription set url = coalesce(?, url), events = coalesce(?::jsonb, events), enabled = coalesce(?, enabled), updated_at = now()
         where id = ? and tenant_id = ? returning ${subscriptionColumns}`,
        [changes.url ?? null, changes.events ? JSON.stringify(changes.events) : null, changes.enabled ?? null, id, tenantId],
      );
      return row ? subscriptionView(row) : undefined;
    },

    async remove(tenantId: string, id: string): Promise<boolean> {
      const rows = await sql<{ id: string }[]>(`delete from event_subscription where id = ? and tenant_id = ? returning id`, [id, tenantId]);
      return rows.length > 0;
    },

    /** The tenant's enabled subscriptions and the events each wants (what event routing needs). */
    async enabledRoutes(tenantId: string): Promise<{ id: string; events: string[] }[]> {
      return sql<{ id: string; events: string[] }[]>(`select id, events from event_subscription where tenant_id = ? and enabled`, [tenantId]);
    },

    /**
     * One pending delivery per subscription named, due now. The subscriptions are checked again
     * here (same tenant, still enabled, still there), since the caller's list may be a few seconds old.
     */
    async enqueue(tenantId: string, subscriptionIds: readonly string[], event: string, payload: Record<string, unknown>): Promise<number> {
      if (subscriptionIds.length === 0) return 0;
      const rows = await sql<{ id: string }[]>(
        `insert into event_delivery (id, subscription_id, tenant_id, event, payload, status, attempts, next_attempt_at, created_at)
         select gen_random_uuid(), s.id, s.tenant_id, ?, ?::jsonb, 'pending', 0, now(), now() from event_subscription s
         where s.tenant_id = ? and s.enabled and s.id in (${subscriptionIds.map(() => "?").join(", ")})
         returning id`,
        [event, JSON.stringify(payload), tenantId, ...subscriptionIds],
      );
      return rows.length;
    },

    /** The delivery log, newest first. */
    async deliveries(tenantId: string, filter: { subscriptionId?: string; status?: DeliveryStatus; limit: number }): Promise<DeliveryView[]> {
      const where = ["tenant_id = ?"];
      const params: unknown[] = [tenantId];
      if (filter.subscriptionId) { where.push("subscription_id = ?"); params.push(filter.subscriptionId); }
      if (filter.status) { where.push("status = ?"); params.push(filter.status); }
      const rows = await sql<DeliveryRow[]>(`select ${deliveryColumns} from event_delivery where ${where.join(" and ")} order by created_at desc, id desc limit ?`, [...params, filter.limit]);
      return rows.map(deliveryView);
    },

    async delivery(tenantId: string, subscriptionId: string, id: string): Promise<DeliveryView | undefined> {
      const [row] = await sql<DeliveryRow[]>(`select ${deliveryColumns} from event_delivery where id = ? and subscription_id = ? and tenant_id = ?`, [id, subscriptionId, tenantId]);
      return row ? deliveryView(row) : undefined;
    },

    /**
     * Queues a finished delivery again, due now, with a fresh attempt budget. The id stays, so a
     * receiver that already processed it can recognise it. A pending one is left alone (a worker
     * may be sending it at this moment).
     */
    async redeliver(tenantId: string, subscriptionId: string, id: string): Promise<DeliveryView | undefined> {
      const [row] = await sql<DeliveryRow[]>(
        `update event_delivery set status = 'pending', attempts = 0, next_attempt_at = now(), last_status_code = null, last_error = null, delivered_at = null
         where id = ? and subscription_id = ? and tenant_id = ? and status <> 'pending' returning ${deliveryColumns}`,
        [id, subscriptionId, tenantId],
      );
      return row ? deliveryView(row) : undefined;
    },
  };
}

export type SubscriptionStore = ReturnType<typeof createSubscriptionStore>;
