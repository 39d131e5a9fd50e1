import { isIP } from "node:net";
import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../sdk/platform-error.ts";
import { isBlockedAddress } from "../../kernel/net/ip-policy.ts";
import { sealedFor } from "../../kernel/secrets/secret-box.ts";
import { startDeliveryWorker, type DeliveryWorker } from "./delivery-worker.ts";
import { ALL_EVENTS, isSubscribableEvent, subscribableEvents } from "./event-names.ts";
import { newSigningSecret } from "./signature.ts";
import { createSubscriptionStore, DeliveryStatus, type SubscriptionView } from "./subscription-store.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { PlatformErrorCode } from "../../sdk/platform-error.ts";
import { SubscriptionErrorCode } from "./subscription-errors.ts";

export { verifySignature } from "./signature.ts";

/** How many subscriptions one tenant may hold. */
export const MAX_SUBSCRIPTIONS_PER_TENANT = 20;
/** How long a rotated secret keeps signing beside the new one, unless the call says otherwise. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 60 * 60;
/** The longest overlap a rotation may ask for. */
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 24 * 60 * 60;
/** How long a node trusts its copy of a tenant's routes; changes made on any node clear it at once. */
const ROUTES_TTL_MS = 30_000;
/** Broadcast to every node when a tenant's subscriptions change. */
const CHANGED_EVENT = "subscriptions.changed";
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type CreateParams = { tenantId: string; url: string; events: string[]; enabled?: boolean };
type UpdateParams = { tenantId: string; id: string; url?: string; events?: string[]; enabled?: boolean };
type DeliveriesParams = { tenantId: string; subscriptionId?: string; status?: DeliveryStatus; limit?: number };

/**
 * Event subscriptions: tenants subscribe URLs to conversation events, and each event becomes one
 * outbox row per matching enabled subscription of the event's tenant, sent by the delivery worker
 * (delivery-worker.ts), signed (signature.ts) and retried with backoff.
 *
 * Conversation events are plain Moleculer events (`broker.emit`), balanced to one `subscriptions`
 * instance across the nodes, so each event is written to the outbox once. They are not durable
 * before that write: an event whose node dies between emitting it and writing it is lost.
 */
export function createSubscriptionsService(platform: PlatformContext): ServiceSchema {
  const store = createSubscriptionStore(() => platform.db.orm.em.fork());
  const routeCache = new Map<string, { routes: { id: string; events: string[] }[]; expiresAt: number }>();
  let worker: DeliveryWorker | undefined;

  function normalizeEvents(events: readonly string[]): string[] {
    const unknown = events.filter((e) => e !== ALL_EVENTS && !isSubscribableEvent(e));
    if (unknown.length > 0) {
      throw new ValidationError(SubscriptionErrorCode.unknownEvent, `Unknown event ${unknown.map((e) => JSON.stringify(e)).join(", ")}; use ${subscribableEvents.join(", ")}, or "${ALL_EVENTS}" for all`, { details: { unknown, allowed: [...subscribableEvents, ALL_EVENTS] } });
    }
    if (events.length === 0) throw new ValidationError(SubscriptionErrorCode.noEvents, "Name at least one event, or \"*\" for all");
    return events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(events)];
  }

  /** http(s) only, no credentials in the URL, and no private address unless the platform allows it. */
  function checkUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ValidationError(SubscriptionErrorCode.urlInvalid, "The URL is not valid");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new ValidationError(SubscriptionErrorCode.urlInvalid, "The URL must start with http:// or https://");
    if (url.username || url.password) throw new ValidationError(SubscriptionErrorCode.urlInvalid, "The URL may not carry credentials; verify deliveries by their signature");
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    // Names are checked again at every delivery, after resolution (safe-fetch.ts); literals can be refused now.
    if (!platform.config.ALLOW_PRIVATE_NETWORKS && ((isIP(host) && isBlockedAddress(host)) || host === "localhost" || host.endsWith(".localhost"))) {
      throw new ValidationError(SubscriptionErrorCode.urlNotAllowed, "The URL points at a private or reserved address");
    }
    return url.toString();
  }

  async function find(tenantId: string, id: string): Promise<SubscriptionView> {
    const found = uuid.test(id) ? await store.get(tenantId, id) : undefined;
    if (!found) throw new NotFoundError(SubscriptionErrorCode.notFound, "Webhook");
    return found;
  }

  async function routesOf(tenantId: string) {
    const cached = routeCache.get(tenantId);
    if (cached && cached.expiresAt > Date.now()) return cached.routes;
    const fresh = await store.enabledRoutes(tenantId);
    if (routeCache.size > 10_000) routeCache.clear();
    routeCache.set(tenantId, { routes: fresh, expiresAt: Date.now() + ROUTES_TTL_MS });
    return fresh;
  }

  /**
   * Events of one session are queued one after another, in the order they reached this node, so
   * the outbox (its `created_at`, the log's order) follows the conversation. Sending is not ordered.
   */
  const queues = new Map<string, Promise<void>>();
  function inOrder(key: string, task: () => Promise<void>): Promise<void> {
    const run = (queues.get(key) ?? Promise.resolve()).then(task);
    queues.set(key, run);
    void run.then(() => { if (queues.get(key) === run) queues.delete(key); });
    return run;
  }

  async function enqueue(event: string, payload: Record<string, unknown>): Promise<void> {
    const tenantId = payload?.tenantId;
    if (typeof tenantId !== "string" || !uuid.test(tenantId)) return;
    try {
      // Only the event's own tenant's subscriptions: the routes and the insert both name it.
      const matching = (await routesOf(tenantId)).filter((r) => r.events.includes(ALL_EVENTS) || r.events.includes(event)).map((r) => r.id);
      if (matching.length === 0) return;
      if ((await store.enqueue(tenantId, matching, event, payload)) > 0) worker?.kick();
    } catch (error) {
      platform.logger.error({ err: error, component: "subscriptions", event, tenantId }, "could not queue an event for its webhooks");
    }
  }

  return {
    name: "subscriptions",
    actions: {
      /** Creates a subscription; the answer is the only time its signing secret is shown. */
      async create(ctx: Context<CreateParams>): Promise<SubscriptionView & { secret: string }> {
        const { tenantId } = ctx.params;
        const url = checkUrl(ctx.params.url);
        const events = normalizeEvents(ctx.params.events);
        if ((await store.count(tenantId)) >= MAX_SUBSCRIPTIONS_PER_TENANT) {
          throw new ConflictError(SubscriptionErrorCode.limitReached, `A tenant may have at most ${MAX_SUBSCRIPTIONS_PER_TENANT} webhooks`);
        }
        const secret = newSigningSecret();
        const created = await store.create({ id: crypto.randomUUID(), tenantId, url, events, secretSealed: platform.secretBox.seal(secret, sealedFor.webhookSigningSecret(tenantId)), enabled: ctx.params.enabled ?? true });
        await ctx.broadcast(CHANGED_EVENT, { tenantId });
        return { ...created, secret };
      },
      async list(ctx: Context<{ tenantId: string }>) {
        return withTenantScope(platform.db, ctx.params.tenantId, (em) => createSubscriptionStore(() => em).list(ctx.params.tenantId));
      },
      async get(ctx: Context<{ tenantId: string; id: string }>) {
        return find(ctx.params.tenantId, ctx.params.id);
      },
      async update(ctx: Context<UpdateParams>) {
        const { tenantId, id } = ctx.params;
        await find(tenantId, id);
        const changes = {
          url: ctx.params.url === undefined ? undefined : checkUrl(ctx.params.url),
          events: ctx.params.events === undefined ? undefined : normalizeEvents(ctx.params.events),
          enabled: ctx.params.enabled,
        };
        const updated = await store.update(tenantId, id, changes);
        if (!updated) throw new NotFoundError(SubscriptionErrorCode.notFound, "Webhook");
        await ctx.broadcast(CHANGED_EVENT, { tenantId });
        return updated;
      },
      /**
       * Gives the subscription a new signing secret, shown this once. The old one keeps signing
       * beside it for `overlapSeconds` (default a day; 0 ends it now), so receivers can move one by one.
       */
      async rotateSecret(ctx: Context<{ tenantId: string; id: string; overlapSeconds?: number }>): Promise<SubscriptionView & { secret: string }> {
        const { tenantId, id } = ctx.params;
        const overlapSeconds = ctx.params.overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS;
        if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_ROTATION_OVERLAP_SECONDS) {
          throw new ValidationError(PlatformErrorCode.validationFailed, `overlapSeconds must be a whole number from 0 to ${MAX_ROTATION_OVERLAP_SECONDS}`);
        }
        await find(tenantId, id);
        const secret = newSigningSecret();
        const rotated = await store.rotate(tenantId, id, platform.secretBox.seal(secret, sealedFor.webhookSigningSecret(tenantId)), overlapSeconds);
        if (!rotated) throw new NotFoundError(SubscriptionErrorCode.notFound, "Webhook");
        return { ...rotated, secret };
      },
      /** Removes a subscription and its delivery log; pending deliveries are dropped. */
      async remove(ctx: Context<{ tenantId: string; id: string }>) {
        const { tenantId, id } = ctx.params;
        if (!uuid.test(id) || !(await store.remove(tenantId, id))) throw new NotFoundError(SubscriptionErrorCode.notFound, "Webhook");
        await ctx.broadcast(CHANGED_EVENT, { tenantId });
      },
      /** The delivery log, newest first; of one subscription when named. */
      async deliveries(ctx: Context<DeliveriesParams>) {
        const { tenantId, subscriptionId, status } = ctx.params;
        if (subscriptionId !== undefined) await find(tenantId, subscriptionId);
        if (status !== undefined && !(Object.values(DeliveryStatus) as string[]).includes(status)) {
          throw new ValidationError(PlatformErrorCode.validationFailed, `status must be one of ${Object.values(DeliveryStatus).join(", ")}`);
        }
        const limit = Math.min(Math.max(Math.trunc(ctx.params.limit ?? 50), 1), 200);
        // PostgreSQL's row-level security checks the tenant too (withTenantScope).
        return withTenantScope(platform.db, tenantId, (em) => createSubscriptionStore(() => em).deliveries(tenantId, { subscriptionId, status, limit }));
      },
      /** Sends a delivered or failed delivery again, with the same id and a fresh set of attempts. */
      async redeliver(ctx: Context<{ tenantId: string; subscriptionId: string; deliveryId: string }>) {
        const { tenantId, subscriptionId, deliveryId } = ctx.params;
        const subscription = await find(tenantId, subscriptionId);
        if (!subscription.enabled) throw new ConflictError(SubscriptionErrorCode.disabled, "This webhook is disabled; enable it first");
        const existing = uuid.test(deliveryId) ? await store.delivery(tenantId, subscriptionId, deliveryId) : undefined;
        if (!existing) throw new NotFoundError(SubscriptionErrorCode.deliveryNotFound, "Delivery");
        const queued = await store.redeliver(tenantId, subscriptionId, deliveryId);
        if (!queued) throw new ConflictError(SubscriptionErrorCode.deliveryPending, "This delivery is still being attempted");
        worker?.kick();
        return queued;
      },
    },

    events: {
      ...Object.fromEntries(subscribableEvents.map((event) => [event, {
        handler(ctx: Context<Record<string, unknown>>) {
          const payload = ctx.params ?? {};
          return inOrder(`${String(payload.tenantId)}:${String(payload.sessionId)}`, () => enqueue(event, payload));
        },
      }])),
      [CHANGED_EVENT]: {
        handler(ctx: Context<{ tenantId: string }>) {
          routeCache.delete(ctx.params.tenantId);
        },
      },
    },

    started() {
      worker = startDeliveryWorker({
        em: () => platform.db.orm.em.fork(),
        openSecret: (sealed, tenantId) => platform.secretBox.open(sealed, sealedFor.webhookSigningSecret(tenantId)),
        logger: platform.logger,
        retryBaseMs: platform.config.WEBHOOK_RETRY_BASE_MS,
        allowPrivateNetworks: platform.config.ALLOW_PRIVATE_NETWORKS,
        metrics: platform.metrics,
      });
    },
    async stopped() {
      await worker?.stop();
      worker = undefined;
    },
  };
}
