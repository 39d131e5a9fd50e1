import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/**
 * The subscriptions room's operations the main tour in contract.test.ts does not call (it creates,
 * reads, pauses and deletes a webhook there): rotating the signing secret.
 */
export const tour: Tour = async ({ call, admin }) => {
  const hook = await call("POST", "/v1/admin/webhooks", { ...admin, body: { url: "https://hooks.example.com/x", events: ["*"] } });
  assert.equal(hook.status, 201, hook.text);
  const rotated = await call("POST", `/v1/admin/webhooks/${hook.body.id}/rotate-secret`, { ...admin, body: { overlapSeconds: 3600 } });
  assert.equal(rotated.status, 200, rotated.text);
  assert.notEqual(rotated.body.secret, hook.body.secret);
  assert.ok(rotated.body.overlapEndsAt, rotated.text);
  // Without a body: the default overlap.
  await call("POST", `/v1/admin/webhooks/${hook.body.id}/rotate-secret`, admin);
  await call("POST", `/v1/admin/webhooks/${hook.body.id}/rotate-secret`, { ...admin, body: { overlapSeconds: -1 } });
  await call("POST", `/v1/admin/webhooks/${crypto.randomUUID()}/rotate-secret`, { ...admin, body: { overlapSeconds: 0 } });
  // Deleted again so that no delivery to the unreachable host outlives the tour.
  await call("DELETE", `/v1/admin/webhooks/${hook.body.id}`, admin);
};
