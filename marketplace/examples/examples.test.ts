import assert from "node:assert/strict";
import { join } from "node:path";
import { createTestBroker, fakeSecrets, type TestBroker } from "../../core/testing/plugin-kit.ts";
import { startFakeRestCrm, type FakeRestCrm } from "../../test/marketplace/fake-rest-crm.server.ts";

const example = (name: string) => join(import.meta.dirname, name);
const TOKEN = "rest-crm-token-123";

describe("the first-party marketplace examples, run in the sandbox with the plugin test kit", function () {
  this.timeout(30_000);

  describe("@platform/rest-crm, a CRM connector for a generic REST API", () => {
    let api: FakeRestCrm;
    let kit: TestBroker;
    const secrets = fakeSecrets({ api_token: TOKEN });
    const config = () => ({ base_url: `${api.url}/api`, contacts_path: "/people", search_param: "email_address", list_key: "data", id_field: "person_id", field_map: { email: "email_address", firstname: "first_name", plan: "plan_name" } });

    before(async () => {
      api = await startFakeRestCrm(TOKEN);
      kit = await createTestBroker({ folders: [example("rest-crm")], secrets, config: config(), grants: ["http:127.0.0.1", "secrets:api_token"] });
    });
    after(async () => {
      await kit?.stop();
      await api?.close();
    });

    it("creates a contact under the API's own field names, with the token filled in by the host", async () => {
      const contact = await kit.crm("createContact", { contact: { email: "ada@example.com", phone: "+14155550100", fields: { firstname: "Ada", plan: "pro", city: "Paris" } }, idempotencyKey: "s1:crm:3" });
      assert.deepEqual(contact, { id: "p1", email: "ada@example.com", phone: "+14155550100", fields: { firstname: "Ada", plan: "pro", city: "Paris" } });
      const sent = api.requests.at(-1)!;
      assert.equal(sent.method, "POST");
      assert.equal(sent.path, "/api/people");
      assert.equal(sent.authorization, `Bearer ${TOKEN}`);
      assert.equal(sent.idempotencyKey, "s1:crm:3");
      assert.deepEqual(sent.body, { email_address: "ada@example.com", phone: "+14155550100", first_name: "Ada", plan_name: "pro", city: "Paris" });
      assert.deepEqual(secrets.read, ["api_token"]);
    });

    it("finds a contact by email, and updates it", async () => {
      const found = (await kit.crm("searchContacts", { email: "ada@example.com" })) as { id: string }[];
      assert.deepEqual(found.map((c) => c.id), ["p1"]);
      const updated = (await kit.crm("updateContact", { id: "p1", contact: { fields: { plan: "enterprise" } } })) as { fields: Record<string, string> };
      assert.equal(updated.fields.plan, "enterprise");
      assert.equal(api.records[0]!.plan_name, "enterprise");
    });

    it("reports the API's failures with the CRM contract's codes, and its own actions through the broker", async () => {
      await assert.rejects(kit.crm("getContact", { id: "nobody" }), (e: { code: string }) => e.code === "CRM_NOT_FOUND");
      await assert.rejects(kit.crm("findDeals", { contactId: "p1" }), (e: { code: string; message: string }) => e.code === "CRM_CONFIG_INVALID" && /does not support findDeals/.test(e.message));
      assert.deepEqual(await kit.crm("listPipelines", {}), []);
      const viaBroker = await kit.call<{ id: string }>("plugin.platform.rest-crm.getContact", { id: "p1" });
      assert.equal(viaBroker.id, "p1");
    });

    it("cannot reach a host the tenant did not grant", async () => {
      const before = api.requests.length;
      for (const grants of [["secrets:api_token"], ["secrets:api_token", "http:crm.example.com"]]) {
        const ungranted = await createTestBroker({ folders: [example("rest-crm")], secrets, config: config(), grants });
        try {
          await assert.rejects(ungranted.crm("searchContacts", { email: "ada@example.com" }), (e: { code: string; message: string }) => e.code === "CRM_CONFIG_INVALID" && !e.message.includes(TOKEN));
        } finally {
          await ungranted.stop();
        }
      }
      assert.equal(api.requests.length, before);
    });
  });

  describe("@platform/business-hours, an MCP-style tool", () => {
    let kit: TestBroker;
    before(async () => {
      kit = await createTestBroker({ folders: [example("business-hours")], config: { utc_offset_minutes: 60, hours: { mon: "09:00-17:30", sat: "10:00-13:00" }, closed_message: "Leave us a message." } });
    });
    after(() => kit?.stop());

    it("answers whether the business is open, in the business's time", async () => {
      // Monday 2026-11-16 10:15 UTC is 11:15 at UTC+1.
      assert.deepEqual(await kit.callTool("opening_hours", { at: "2026-11-16T10:15:00Z" }), { content: [{ type: "text", text: "Open now, until 17:30 today (Monday)." }], isError: false });
      const evening = await kit.callTool("opening_hours", { at: "2026-11-16T18:00:00Z" });
      assert.equal(evening.content[0]!.text, "Closed now; opens on Saturday at 10:00. Leave us a message.");
      const friday = await kit.callTool("opening_hours", { at: "2026-11-20T12:00:00Z" });
      assert.equal(friday.content[0]!.text, "Closed now; opens tomorrow (Saturday) at 10:00. Leave us a message.");
    });

    it("returns bad arguments to the model as an error result, and is callable as a broker action", async () => {
      const wrong = await kit.callTool("opening_hours", { at: 42 });
      assert.equal(wrong.isError, true);
      assert.match(wrong.content[0]!.text, /Invalid arguments for opening_hours: at/);
      const unreadable = await kit.callTool("opening_hours", { at: "next tuesday" });
      assert.equal(unreadable.isError, true);
      const viaBroker = await kit.call<{ isError: boolean }>("plugin.platform.business-hours.opening_hours", { at: "2026-11-16T10:15:00Z" });
      assert.equal(viaBroker.isError, false);
    });
  });

  describe("@platform/pricing, a node type", () => {
    it("quotes with the tenant's configuration and counts quotes in its own kv space", async () => {
      const kit = await createTestBroker({ folders: [example("pricing")], config: { tax_rate: 0.2, currency: "EUR", discounts: { SPRING: 10 } } });
      try {
        const answer = await kit.runNode("pricing-quote", { unit_price: 10, quantity: 3, discount_code: "spring" });
        assert.deepEqual(answer.vars, { "session.total": 32.4, "session.quotes_made": 1 });
        assert.equal(answer.messages?.[0]?.text, "3 × 10 EUR (10% off): 32.40 EUR");
        assert.deepEqual(await kit.kv(), { quotes: 1 });
      } finally {
        await kit.stop();
      }
    });
  });
});
