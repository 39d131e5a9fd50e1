import type { ServiceBroker } from "moleculer";
import type { TenantView } from "./tenants.service.ts";

/** A safety net only: every change is broadcast (TenancyEvents) and drops the entry at once. */
const TTL_MS = 30_000;
const CAPACITY = 10_000;

export type TenantViewCache = {
  get(tenantId: string): Promise<TenantView>;
  /** Call on `tenant.updated` and `tenant.deleted`, which every node receives. */
  drop(tenantId: string): void;
};

/**
 * `tenants.get` remembered on this node, for services that read a tenant on every turn (its tier
 * and settings for the limits). The tenants service caches its own view too, but asking it is a
 * broker call per turn, and a NATS round trip when it runs on another node; this saves both. Two
 * concurrent misses share one call.
 */
export function createTenantViewCache(broker: () => ServiceBroker): TenantViewCache {
  const views = new Map<string, { view: Promise<TenantView>; expiresAt: number }>();
  return {
    get(tenantId) {
      const known = views.get(tenantId);
      if (known && known.expiresAt > Date.now()) return known.view;
      const view = broker().call<TenantView, { tenantId: string }>("tenants.get", { tenantId });
      if (views.size >= CAPACITY) views.clear();
      const entry = { view, expiresAt: Date.now() + TTL_MS };
      views.set(tenantId, entry);
      // A failed read (a missing tenant, a node going away) is not remembered.
      view.catch(() => { if (views.get(tenantId) === entry) views.delete(tenantId); });
      return view;
    },
    drop(tenantId) {
      views.delete(tenantId);
    },
  };
}
