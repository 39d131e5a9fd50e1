import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * SQL for subscriptions and the delivery log. Every statement names the tenant, so one tenant's
 * call can never read or change another's rows.
 */
export const DeliveryStatus = { pending: "pending", delivered: "delivered", failed: "failed" } as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

type SubscriptionRow = {
  id: string; tenant_id: string; url: string; events: string[]; enabled: boolean; legacy_signature: boolean; overlap_ends_at: Date | null;
  created_at: Date; updated_at: Date;
};
type DeliveryRow = {
  id: string; subscription_id: string; event: string; payload: Record<string, unknown>; status: DeliveryStatus; attempts: number;
  next_attempt_at: Date | null; last_status_code: number | null; last_error: string | null; signature_scheme: SignatureScheme | null;
  created_at: Date; delivered_at: Date | null;
};

/** How a delivery was signed: Standard Webhooks, and for pre-0020 subscriptions the old header as well. */
export const SignatureScheme = { standard: "standard-webhooks", withLegacy: "standard-webhooks+x-bot-signature" } as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/**
 * What the delivery log tells the owner of a receiver still checking `x-bot-signature`, on every
 * delivery that carried it. The README says the same at more length.
 */
export const LEGACY_SIGNATURE_NOTICE =
  "This webhook was made before Standard Webhooks, so its deliveries still carry the deprecated x-bot-signature header " +
  "beside webhook-id, webhook-timestamp and webhook-signature. Move your receiver to webhook-signature: with the standardwebhooks " +
  "library, new Webhook(currentSecret, { format: \"raw\" }).verify(rawBody, headers). Then rotate " +
  "(POST /v1/admin/webhooks/{id}/rotate-secret) and verify with new Webhook(newSecret); x-bot-signature stops when the overlap ends.";

/** What the admin API shows of a subscription: never its secret. */
export type SubscriptionView = {
  id: string; url: string; events: string[]; enabled: boolean;
  /** Deliveries still carry the deprecated `x-bot-signature` (a pre-0020 secret signs). */
  legacySignature: boolean;
  /** While a rotation's overlap lasts, when the previous secret stops signing; otherwise null. */
  overlapEndsAt: string | null;
  createdAt: string; updatedAt: string;
};
export type DeliveryView = {
  id: string; subscriptionId: string; event: string; status: DeliveryStatus; attempts: number; nextAttemptAt: string | null;
  lastStatusCode: number | null; lastError: string | null;
  /** How the last attempt was signed (null before the first), and, when it carried the old header, how to move off it. */
  signature: { scheme: SignatureScheme; notice: string | null } | null;
  createdAt: string; deliveredAt: string | null; payload: Record<string, unknown>;
};

const subscriptionColumns = `id, tenant_id, url, events, enabled,
  coalesce(secret_format = 'raw' or (previous_secret_format = 'raw' and previous_secret_expires_at > now()), false) as legacy_signature,
  case when previous_secret_expires_at > now() then previous_secret_expires_at end as overlap_ends_at, created_at, updated_at`;
const deliveryColumns = `id, subscription_id, event, payload, status, attempts, next_attempt_at, last_status_code, last_error, signature_scheme, created_at, delivered_at`;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function subscriptionView(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id, url: row.url, events: row.events, enabled: row.enabled, legacySignature: row.legacy_signature, overlapEndsAt: iso(row.overlap_ends_at),
    createdAt: iso(row.created_at)!, updatedAt: iso(row.updated_at)!,
  };
}

function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id, subscriptionId: row.subscription_id, event: row.event, status: row.status, attempts: row.attempts,
    nextAttemptAt: row.status === DeliveryStatus.pending ? iso(row.next_attempt_at) : null, lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    signature: row.signature_scheme === null ? null : { scheme: row.signature_scheme, notice: row.signature_scheme === SignatureScheme.withLegacy ? LEGACY_SIGNATURE_NOTICE : null },
    createdAt: iso(row.created_at)!, deliveredAt: iso(row.delivered_at), payload: row.payload,
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

    /**
     * Replaces the signing secret with a new standard one. The old one keeps signing until
     * `overlapSeconds` from now (not at all for 0); a secret still in an earlier overlap is dropped.
     */
    async rotate(tenantId: string, id: string, secretSealed: string, overlapSeconds: number): Promise<SubscriptionView | undefined> {
      const overlap = overlapSeconds > 0;
      // Every right-hand side reads the row as it was: the old secret becomes the previous one.
      const [row] = await sql<SubscriptionRow[]>(
        `update event_subscription set
           previous_secret_sealed = ${overlap ? "secret_sealed" : "null"}, previous_secret_format = ${overlap ? "secret_format" : "null"},
           previous_secret_expires_at = ${overlap ? "now() + make_interval(secs => ?)" : "null"},
           secret_sealed = ?, secret_format = 'standard', updated_at = now()
         where id = ? and tenant_id = ? returning ${subscriptionColumns}`,
        [...(overlap ? [overlapSeconds] : []), secretSealed, id, tenantId],
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
