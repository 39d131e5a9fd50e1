import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/**
 * The operator's overview (core/modules/operator/operator.routes.ts): tenants with their plan,
 * bots and usage, the cluster's nodes; a tenant's own key is refused both.
 */
export const tour: Tour = async ({ call, op, admin, tenant }) => {
  const tenants = await call("GET", "/v1/operator/tenants", op);
  assert.equal(tenants.status, 200, tenants.text);
  const mine = tenants.body.tenants.find((t: { id: string }) => t.id === tenant.id);
  assert.ok(mine && mine.bots >= 1, tenants.text);
  const nodes = await call("GET", "/v1/operator/nodes", op);
  assert.equal(nodes.status, 200, nodes.text);
  assert.ok(nodes.body.nodes.some((n: { local: boolean; available: boolean }) => n.local && n.available), nodes.text);
  assert.equal((await call("GET", "/v1/operator/tenants", admin)).status, 403);
  assert.equal((await call("GET", "/v1/operator/nodes", admin)).status, 403);
};
