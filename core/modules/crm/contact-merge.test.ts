import assert from "node:assert/strict";
import { contactFromRequest, mergePatch } from "./contact-merge.ts";
import { defaultSettings } from "./crm-settings.ts";

describe("building and merging a CRM contact", () => {
  const settings = { ...defaultSettings(), mapping: { email: "user.email", phone: "user.phone", firstname: "user.name", plan: "session.plan" } };

  it("reads the mapped variables, normalises email and phone, and lets explicit fields win", () => {
    const contact = contactFromRequest(settings, {
      variables: { user: { email: " Ada@Example.com ", phone: "555-123-4567", name: "Ada" }, session: { plan: "pro" } },
      fields: { firstname: "Augusta" },
    });
    assert.deepEqual(contact, { email: "ada@example.com", phone: "+15551234567", fields: { firstname: "Augusta", plan: "pro" } });
  });

  it("refuses a bad email, an unreadable phone, or a contact with neither", () => {
    assert.throws(() => contactFromRequest(settings, { variables: { user: { email: "ada@" } } }), { code: "CRM_INVALID_CONTACT" });
    assert.throws(() => contactFromRequest(settings, { variables: { user: { phone: "12345" } } }), { code: "CRM_INVALID_CONTACT" });
    assert.throws(() => contactFromRequest(settings, { variables: { user: { name: "Ada" } } }), { code: "CRM_INVALID_CONTACT" });
  });

  it("fills empty fields and keeps filled ones unless overwrite is set", () => {
    const existing = { id: "1", email: "ada@example.com", phone: null, fields: { firstname: "Ada", plan: "" } };
    const incoming = { email: "other@example.com", phone: "+15551234567", fields: { firstname: "Augusta", plan: "pro" } };
    assert.deepEqual(mergePatch(existing, incoming, false), { phone: "+15551234567", fields: { plan: "pro" } });
    assert.deepEqual(mergePatch(existing, incoming, true), { email: "other@example.com", phone: "+15551234567", fields: { firstname: "Augusta", plan: "pro" } });
    assert.equal(mergePatch({ ...existing, phone: "+15551234567", fields: { firstname: "Ada", plan: "pro" } }, incoming, false), undefined);
  });
});
