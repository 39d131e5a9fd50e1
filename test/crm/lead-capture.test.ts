import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { captureLead, crmTenant, say } from "./crm-harness.ts";
import { startFakeHubspot, type FakeHubspot } from "./fake-hubspot.server.ts";
import { startFakeSalesforce, type FakeSalesforce } from "./fake-salesforce.server.ts";

const first = { name: "Ada", email: "ada@example.com", phone: "+1 (555) 123-4567" };
// The same person on another day: another email, the phone written another way.
const again = { name: "Ada Lovelace", email: "ada.l@work.example", phone: "555-123-4567" };

for (const backend of databaseBackends()) {
  describe(`the lead-capture bot writes each lead once, with one deal (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let hubspot: FakeHubspot;
    let salesforce: FakeSalesforce;

    before(async () => {
      [node, hubspot, salesforce] = await Promise.all([
        startTestPlatform({ backend, pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true" } }),
        startFakeHubspot({ token: "pat-na1-secret-token" }),
        startFakeSalesforce({ clientId: "sf-client", clientSecret: "sf-client-secret" }),
      ]);
    });
    after(async () => {
      await Promise.all([node?.cleanup(), hubspot?.close(), salesforce?.close()]);
    });

    it("platform CRM: two conversations with differently written phones leave one contact and one deal", async () => {
      const acme = await crmTenant(node, "Acme");
      const one = await captureLead(node, acme, first);
      assert.ok(one.texts.includes("Thanks Ada, you're in."), one.texts.join(" | "));
      const two = await captureLead(node, acme, again);
      assert.ok(two.texts.includes("Thanks Ada Lovelace, you're in."), two.texts.join(" | "));

      const contacts = await node.request("GET", "/v1/admin/crm/contacts", { key: acme.admin });
      assert.equal(contacts.status, 200, contacts.text);
      assert.equal(contacts.body.total, 1);
      const [contact] = contacts.body.contacts;
      assert.equal(contact.phone, "+15551234567");
      // Merge rule: empty fields are filled, what the CRM already had is kept.
      assert.equal(contact.email, "ada@example.com");
      assert.deepEqual(contact.fields, { firstname: "Ada", lead_source: "chatbot" });
      const deals = await node.request("GET", "/v1/admin/crm/deals", { key: acme.admin });
      assert.equal(deals.body.total, 1);
      assert.deepEqual([deals.body.deals[0].name, deals.body.deals[0].amount, deals.body.deals[0].contactId], ["Website lead", 1000, contact.id]);
      const detail = await node.request("GET", `/v1/admin/crm/contacts/${contact.id}`, { key: acme.admin });
      assert.equal(detail.body.deals.length, 1);

      const found = await node.request("GET", "/v1/admin/crm/contacts?query=work.example", { key: acme.admin });
      assert.equal(found.body.total, 0, "the second email was not written over the first");
      const byPhone = await node.request("GET", "/v1/admin/crm/contacts?query=5551234567", { key: acme.admin });
      assert.equal(byPhone.body.total, 1);

      const globex = await crmTenant(node, "Globex");
      const foreign = await node.request("GET", `/v1/admin/crm/contacts/${contact.id}`, { key: globex.admin });
      assert.deepEqual([foreign.status, foreign.body.error.code], [404, "CRM_CONTACT_NOT_FOUND"]);
      assert.equal((await node.request("GET", "/v1/admin/crm/contacts", { key: globex.admin })).body.total, 0);
    });

    it("platform CRM: the CSV export quotes every cell and defuses formulas", async () => {
      const tenant = await crmTenant(node, "Csv");
      await captureLead(node, tenant, { name: '=HYPERLINK("http://evil","x")', email: "eve@example.com", phone: "+44 20 7946 0018" });
      const csv = await node.request("GET", "/v1/admin/crm/contacts.csv", { key: tenant.admin });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
      const [header, row] = csv.text.trim().split("\r\n");
      assert.equal(header, '"id","email","phone","firstname","lead_source","created_at"');
      assert.match(row!, /,"eve@example.com","'\+442079460018","'=HYPERLINK\(""http:\/\/evil"",""x""\)","chatbot",/);
    });

    it("HubSpot: the same person twice is one contact with one deal, found through paged search", async () => {
      const tenant = await crmTenant(node, "HubAcme", {
        connector: "hubspot", config: { apiUrl: hubspot.url }, credentials: { token: "pat-na1-secret-token" },
        mapping: { email: "user.email", phone: "user.phone", firstname: "user.name" },
      });
      const one = await captureLead(node, tenant, first);
      assert.ok(one.texts.includes("Thanks Ada, you're in."), one.texts.join(" | "));
      await captureLead(node, tenant, again);
      assert.equal(hubspot.contacts.size, 1);
      const [contact] = [...hubspot.contacts.values()];
      assert.deepEqual(contact!.properties, { email: "ada@example.com", phone: "+15551234567", firstname: "Ada", lead_source: "chatbot" });
      assert.equal(hubspot.deals.size, 1);
      assert.deepEqual(hubspot.dealsOf.get(contact!.id)?.length, 1);
      assert.equal([...hubspot.deals.values()][0]!.properties.dealname, "Website lead");
      for (const r of hubspot.requests) assert.equal(r.headers.authorization, "Bearer pat-na1-secret-token");

      // Two more contacts already in HubSpot share the phone: the search reads every page (one per result here).
      hubspot.contacts.set("900", { id: "900", properties: { email: "office@example.com", phone: "+15559990000" }, createdAt: "" });
      hubspot.contacts.set("901", { id: "901", properties: { email: "desk@example.com", phone: "+15559990000" }, createdAt: "" });
      const searches = hubspot.count("POST", /contacts\/search$/);
      const search = await node.request("GET", `/v1/admin/crm/search?phone=${encodeURIComponent("(555) 999-0000")}`, { key: tenant.admin });
      assert.equal(search.status, 200, search.text);
      assert.deepEqual(search.body.contacts.map((c: { email: string }) => c.email).sort(), ["desk@example.com", "office@example.com"]);
      assert.equal(hubspot.count("POST", /contacts\/search$/) - searches, 2, "one request per page");
      const invalid = await node.request("GET", "/v1/admin/crm/search?phone=call-me", { key: tenant.admin });
      assert.deepEqual([invalid.status, invalid.body.error.code], [400, "CRM_INVALID_CONTACT"]);
    });

    it("HubSpot: settings come back without credentials", async () => {
      const tenant = await crmTenant(node, "HubSecret", { connector: "hubspot", config: { apiUrl: hubspot.url }, credentials: { token: "pat-na1-do-not-show" } });
      const settings = await node.request("GET", "/v1/admin/crm", { key: tenant.admin });
      assert.equal(settings.status, 200);
      assert.equal(settings.body.connector, "hubspot");
      assert.deepEqual(settings.body.credentialNames, ["token"]);
      assert.doesNotMatch(settings.text, /do-not-show/);
      for (const body of [{ connector: "pipedrive" }, { connector: "hubspot", mapping: { email: "temp.email" } }, { connector: "platform", defaultCountry: "XX" }, { connector: "platform", webhookSecret: "short" }]) {
        const bad = await node.request("PUT", "/v1/admin/crm", { key: tenant.admin, body });
        assert.deepEqual([bad.status, bad.body.error.code], [400, "CRM_SETTINGS_INVALID"], JSON.stringify(body));
      }
      const notJson = await node.request("PUT", "/v1/admin/crm", { key: tenant.admin, rawBody: "[1,2]" });
      assert.equal(notJson.status, 400);
      const badPage = await node.request("GET", "/v1/admin/crm/contacts?page=0", { key: tenant.admin });
      assert.equal(badPage.status, 400);
      const widget = await node.request("GET", "/v1/admin/crm", { key: tenant.widget });
      assert.ok(widget.status === 401 || widget.status === 403, `a widget key may not read CRM settings (${widget.status})`);
      assert.equal((await node.request("GET", "/v1/admin/crm", { key: tenant.admin })).body.connector, "hubspot", "refused settings changed nothing");
    });

    it("Salesforce: the same person twice is one Contact with one Opportunity", async () => {
      const tenant = await crmTenant(node, "SfAcme", {
        connector: "salesforce", config: { loginUrl: salesforce.url }, credentials: { client_id: "sf-client", client_secret: "sf-client-secret" },
        mapping: { email: "user.email", phone: "user.phone", LastName: "user.name" },
      });
      const one = await captureLead(node, tenant, first);
      assert.ok(one.texts.includes("Thanks Ada, you're in."), one.texts.join(" | "));
      await captureLead(node, tenant, again);
      assert.equal(salesforce.contacts.size, 1);
      const [contact] = [...salesforce.contacts.values()];
      assert.deepEqual([contact!.Email, contact!.Phone, contact!.LastName, contact!.lead_source], ["ada@example.com", "+15551234567", "Ada", "chatbot"]);
      assert.equal(salesforce.opportunities.size, 1);
      const [deal] = [...salesforce.opportunities.values()];
      assert.deepEqual([deal!.Name, deal!.ContactId, deal!.Amount, deal!.StageName], ["Website lead", contact!.Id, 1000, "Prospecting"]);
      assert.equal(salesforce.count("POST", /oauth2\/token/), 1, "the token is reused across calls");

      // Two more Contacts share an office phone: the SOQL search follows nextRecordsUrl (one record per page here).
      salesforce.contacts.set("003000000000900AAA", { Id: "003000000000900AAA", Email: "office@example.com", Phone: "+15559990000", LastName: "Office" });
      salesforce.contacts.set("003000000000901AAA", { Id: "003000000000901AAA", Email: "desk@example.com", Phone: "+15559990000", LastName: "Desk" });
      // An expired session is signed in again once, transparently.
      salesforce.expireSessions();
      const search = await node.request("GET", `/v1/admin/crm/search?phone=${encodeURIComponent("555.999.0000")}`, { key: tenant.admin });
      assert.equal(search.status, 200, search.text);
      assert.deepEqual(search.body.contacts.map((c: { fields: { LastName: string } }) => c.fields.LastName).sort(), ["Desk", "Office"]);
      assert.equal(salesforce.count("GET", /\/query\/01g/), 1, "the second page was read");
      assert.equal(salesforce.count("POST", /oauth2\/token/), 2);
    });

    it("a contact changed in the CRM refreshes the open conversation with that person", async () => {
      const tenant = await crmTenant(node, "Hooks", { connector: "platform", webhookSecret: "whsec_0123456789abcdef" });
      const { sessionId } = await captureLead(node, tenant, { name: "Grace", email: "grace@example.com", phone: "+1 555 222 3333" });
      const body = JSON.stringify({ contact: { phone: "(555) 222-3333", fields: { firstname: "Grace Hopper" } } });
      const { signCrmWebhook } = await import("../../core/modules/crm/crm-webhook.ts");
      const url = `/v1/crm/webhooks/${tenant.id}/platform`;
      const forged = await node.request("POST", url, { rawBody: body, headers: { "x-crm-signature": signCrmWebhook("wrong-secret-0123456789", body) } });
      assert.deepEqual([forged.status, forged.body.error.code], [401, "CRM_WEBHOOK_SIGNATURE_INVALID"]);
      const wrongConnector = await node.request("POST", `/v1/crm/webhooks/${tenant.id}/hubspot`, { rawBody: body, headers: { "x-crm-signature": signCrmWebhook("whsec_0123456789abcdef", body) } });
      assert.equal(wrongConnector.status, 404);
      const hook = await node.request("POST", url, { rawBody: body, headers: { "x-crm-signature": signCrmWebhook("whsec_0123456789abcdef", body) } });
      assert.equal(hook.status, 200, hook.text);
      assert.equal(hook.body.matchedSessions, 1);
      const reply = await say(node, tenant, sessionId, "no, thanks");
      assert.deepEqual(reply.body.messages.map((m: { text: string }) => m.text), ["Bye Grace Hopper."]);
    });

    it("HubSpot: a contact-change event naming only the id is read back from HubSpot and refreshes the conversation", async () => {
      const secret = "whsec_hubspot_0123456789";
      const tenant = await crmTenant(node, "HubHooks", { connector: "hubspot", config: { apiUrl: hubspot.url }, credentials: { token: "pat-na1-secret-token" }, webhookSecret: secret });
      const { sessionId } = await captureLead(node, tenant, { name: "Linus", email: "linus@example.com", phone: "+1 555 444 1212" });
      const contact = [...hubspot.contacts.values()].find((c) => c.properties.email === "linus@example.com")!;
      contact.properties.firstname = "Linus T.";
      const { signCrmWebhook } = await import("../../core/modules/crm/crm-webhook.ts");
      const body = JSON.stringify([{ objectId: Number(contact.id), subscriptionType: "contact.propertyChange", propertyName: "firstname", propertyValue: "Linus T." }]);
      const hook = await node.request("POST", `/v1/crm/webhooks/${tenant.id}/hubspot`, { rawBody: body, headers: { "x-crm-signature": signCrmWebhook(secret, body) } });
      assert.equal(hook.status, 200, hook.text);
      assert.equal(hook.body.matchedSessions, 1);
      const reply = await say(node, tenant, sessionId, "that's all");
      assert.deepEqual(reply.body.messages.map((m: { text: string }) => m.text), ["Bye Linus T.."]);
      const junk = JSON.stringify({ hello: "world" });
      const refused = await node.request("POST", `/v1/crm/webhooks/${tenant.id}/hubspot`, { rawBody: junk, headers: { "x-crm-signature": signCrmWebhook(secret, junk) } });
      assert.deepEqual([refused.status, refused.body.error.code], [400, "CRM_WEBHOOK_INVALID"]);
    });
  });
}
