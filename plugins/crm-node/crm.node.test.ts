import assert from "node:assert/strict";
import { PlatformError } from "../../core/sdk/index.ts";
import { runNode } from "../../core/testing/plugin-kit.ts";
import crmPlugin from "./index.ts";

describe("the crm node", () => {
  it("upserts the contact from the session's variables with the turn's idempotency key, for its own tenant only", async () => {
    const calls: { action: string; params: Record<string, unknown> }[] = [];
    const { result, vars } = await runNode(crmPlugin, "crm", {
      content: { operation: "upsert_contact", fields: { source: "{{context.channel}}" }, store_contact_id: "user.crm_id" },
      connections: { success: "next", error: "oops" },
      vars: { user: { email: "ada@example.com" }, context: { channel: "web" }, temp: { secretish: "x" } },
      tenantId: "tenant-a",
      idempotencyKey: "s:n:3",
      call: async (action, params) => { calls.push({ action, params }); return { contact: { id: "c-1" }, created: true }; },
    });
    assert.equal(result.next, "success");
    assert.equal((vars.user as Record<string, unknown>).crm_id, "c-1");
    assert.equal(calls[0]!.action, "crm.upsertContact");
    assert.deepEqual(calls[0]!.params.fields, { source: "web" });
    assert.equal(calls[0]!.params.idempotencyKey, "s:n:3");
    assert.equal(calls[0]!.params.tenantId, "tenant-a");
    assert.equal((calls[0]!.params.variables as Record<string, unknown>).temp, undefined, "temp.* is not sent to the CRM");
  });

  it("follows error with the CRM's code in a variable when the CRM refuses", async () => {
    const { result, vars, logs } = await runNode(crmPlugin, "crm", {
      content: { operation: "create_deal", deal: { name: "Lead {{user.name}}" } },
      connections: { success: "next", error: "oops" },
      vars: { user: { name: "Ada", crm_id: "c-1" } },
      call: async () => { throw new PlatformError("CRM_RATE_LIMITED", "slow down", { status: 429, data: { retryAfterSeconds: 30 } }); },
    });
    assert.equal(result.next, "error");
    assert.equal((vars.session as Record<string, unknown>).crm_error, "CRM_RATE_LIMITED");
    assert.equal(logs[0]!.data?.retryAfterSeconds, 30);
  });
});
