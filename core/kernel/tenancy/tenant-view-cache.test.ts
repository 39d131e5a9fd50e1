import assert from "node:assert/strict";
import type { ServiceBroker } from "moleculer";
import { createTenantViewCache } from "./tenant-view-cache.ts";

/** A broker that answers `tenants.get` from a table and counts the calls that reach it. */
function tenantsBroker(tiers: Record<string, string>) {
  const broker = {
    calls: 0,
    async call(action: string, params: { tenantId: string }) {
      assert.equal(action, "tenants.get");
      broker.calls++;
      const tier = tiers[params.tenantId];
      if (!tier) throw Object.assign(new Error("Tenant not found"), { code: "TENANT_NOT_FOUND" });
      return { id: params.tenantId, tier, settings: {} };
    },
  };
  return broker;
}

describe("the tenants a node remembers for its turns", () => {
  it("asks once, then answers from memory until the tenant changes", async () => {
    const tiers: Record<string, string> = { t1: "free" };
    const broker = tenantsBroker(tiers);
    const cache = createTenantViewCache(() => broker as unknown as ServiceBroker);
    assert.equal((await cache.get("t1")).tier, "free");
    assert.equal((await cache.get("t1")).tier, "free");
    assert.equal(broker.calls, 1);
    tiers.t1 = "paid";
    cache.drop("t1");
    assert.equal((await cache.get("t1")).tier, "paid");
    assert.equal(broker.calls, 2);
  });

  it("does not remember a failed read, so a tenant created later is found", async () => {
    const tiers: Record<string, string> = {};
    const broker = tenantsBroker(tiers);
    const cache = createTenantViewCache(() => broker as unknown as ServiceBroker);
    await assert.rejects(cache.get("t2"), { code: "TENANT_NOT_FOUND" });
    tiers.t2 = "free";
    assert.equal((await cache.get("t2")).tier, "free");
  });
});
