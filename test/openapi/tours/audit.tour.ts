import assert from "node:assert/strict";
import { waitFor } from "../../kit/eventually.ts";
import type { Tour } from "./tour.ts";

/**
 * The audit room: its log after the changes the tour made, filtered and paged, and a cursor it
 * never gave (400); and a labelled key added beside the others (rotate: false), which the log names.
 */
export const tour: Tour = async ({ call, tenant, admin }) => {
  const labelled = await call("POST", `/v1/admin/tenants/${tenant.id}/keys`, { ...admin, body: { kind: "admin", role: "editor", label: "Contract tour", rotate: false } });
  assert.equal(labelled.status, 201, labelled.text);
  const made = await call("POST", "/v1/admin/bots", { key: labelled.body.key, body: { name: "Made by the tour's key" } });
  assert.equal(made.status, 201, made.text);
  const page = await waitFor("the tour's changes in the audit log", async () => {
    const answer = await call("GET", "/v1/admin/audit?limit=5", admin);
    return answer.body.entries?.length > 0 ? answer : undefined;
  });
  assert.equal(page.status, 200, page.text);
  if (page.body.nextCursor) await call("GET", `/v1/admin/audit?limit=5&cursor=${page.body.nextCursor}`, admin);
  await call("GET", `/v1/admin/audit?actor=Contract&route=${encodeURIComponent("/bots")}&method=POST&from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}&to=${encodeURIComponent(new Date().toISOString())}`, admin);
  const bad = await call("GET", "/v1/admin/audit?cursor=bm9wZQ", admin);
  assert.equal(bad.status, 400, bad.text);
};
