import assert from "node:assert/strict";
import { crmHttpError, crmRequest, retryAfterSeconds, type CrmFetch } from "./crm-contract.ts";

/** A vendor answering from a script of responses, recording what was sent. */
function scripted(...statuses: (number | Error)[]) {
  const sent: string[] = [];
  const fetch: CrmFetch = async (url, init) => {
    sent.push(`${init?.method ?? "GET"} ${url}`);
    const next = statuses.shift() ?? 200;
    if (next instanceof Error) throw Object.assign(next, { code: "FETCH_FAILED" });
    const headers: Record<string, string> = next === 429 ? { "retry-after": "0" } : {};
    return { status: next, headers, body: "{}", url };
  };
  return { fetch, sent };
}

describe("the CRM contract's HTTP rules", () => {
  it("names each vendor status by its CRM code", () => {
    const code = (status: number, headers: Record<string, string> = {}) => crmHttpError("hubspot: create contact", { status, headers }).code;
    assert.deepEqual([401, 403, 404, 409, 429, 500, 503, 422].map((s) => code(s)), [
      "CRM_UNAUTHORIZED", "CRM_UNAUTHORIZED", "CRM_NOT_FOUND", "CRM_CONFLICT", "CRM_RATE_LIMITED", "CRM_UNAVAILABLE", "CRM_UNAVAILABLE", "CRM_REJECTED",
    ]);
    const limited = crmHttpError("x", { status: 429, headers: { "retry-after": "42" } });
    assert.equal(limited.data?.retryAfterSeconds, 42);
    assert.equal(limited.retryable, false, "the broker must not resend it by itself");
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(retryAfterSeconds("7", now), 7);
    assert.equal(retryAfterSeconds("Thu, 01 Jan 2026 00:00:30 GMT", now), 30);
    assert.equal(retryAfterSeconds(undefined, now), 1);
  });

  it("never sends a non-idempotent write twice after a 5xx or a network failure", async () => {
    for (const failure of [502, new Error("socket hang up")]) {
      const vendor = scripted(failure, 201);
      await assert.rejects(crmRequest(vendor.fetch, "http://crm/contacts", { step: "create", idempotent: false, method: "POST" }), { code: "CRM_UNAVAILABLE" });
      assert.equal(vendor.sent.length, 1);
    }
  });

  it("retries a read once after a 5xx, and any request after a short 429", async () => {
    const read = scripted(503, 200);
    assert.equal((await crmRequest(read.fetch, "http://crm/search", { step: "search", idempotent: true })).status, 200);
    assert.equal(read.sent.length, 2);
    const write = scripted(429, 201);
    assert.equal((await crmRequest(write.fetch, "http://crm/contacts", { step: "create", idempotent: false, method: "POST" })).status, 201);
    assert.equal(write.sent.length, 2);
    const stubborn = scripted(429, 429, 429, 201);
    await assert.rejects(crmRequest(stubborn.fetch, "http://crm/contacts", { step: "create", idempotent: false, method: "POST" }), { code: "CRM_RATE_LIMITED" });
    assert.equal(stubborn.sent.length, 3);
  });
});

describe("contact inputs take what connectors answer", () => {
  it("accepts phone and email null going in, as a contact a connector returned has them, and reads null as not given", async () => {
    const { contactInputSchema, contactSchema, crmConnectorActions } = await import("./crm-contract.ts");
    const returned = contactSchema.parse({ id: "42", email: "ada@example.com", phone: null, fields: { firstname: "Ada" } });
    const again = crmConnectorActions.updateContact.params.parse({ id: returned.id, contact: returned });
    assert.equal(again.contact.phone, undefined);
    assert.equal(again.contact.email, "ada@example.com");
    assert.equal(contactInputSchema.parse({ email: null, fields: {} }).email, undefined);
    assert.equal(crmConnectorActions.searchContacts.params.parse({ email: null, phone: "+14155550100" }).email, undefined);
    assert.equal(contactInputSchema.safeParse({ phone: 4155550100 }).success, false);
  });
});
