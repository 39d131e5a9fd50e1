import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { captureLead, crmTenant, type CrmTenant } from "./crm-harness.ts";
import { startFakeHubspot, type FakeHubspot } from "./fake-hubspot.server.ts";
import { startFakeSalesforce, type FakeSalesforce } from "./fake-salesforce.server.ts";
import { startFakeServer, type FakeServer } from "./fake-vendor.server.ts";

// Vendor failures are about HTTP, not storage: one backend (PGlite) is enough here.
describe("CRM failures reach the flow's error path with their code, and writes are never repeated", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let hubspot: FakeHubspot;
  let salesforce: FakeSalesforce;
  let tenant: CrmTenant;
  let people = 0;
  const person = () => { people++; return { name: `Lead ${people}`, email: `lead${people}@example.com`, phone: `+1 555 300 ${String(1000 + people)}` }; };
  const lastText = (texts: string[]) => texts.at(-1);

  before(async () => {
    [node, hubspot, salesforce] = await Promise.all([
      startTestPlatform({ pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true" } }),
      startFakeHubspot({ token: "pat-good" }),
      startFakeSalesforce({ clientId: "sf-client", clientSecret: "sf-secret" }),
    ]);
    tenant = await crmTenant(node, "Acme", { connector: "hubspot", config: { apiUrl: hubspot.url }, credentials: { token: "pat-good" } });
  });
  after(async () => Promise.all([node?.cleanup(), hubspot?.close(), salesforce?.close()]));

  it("waits out a short 429 (Retry-After) and goes on", async () => {
    const before = hubspot.count("POST", /contacts\/search$/);
    hubspot.failures.push({ method: "POST", path: /contacts\/search$/, status: 429, headers: { "retry-after": "1" } });
    const started = Date.now();
    const { texts } = await captureLead(node, tenant, person());
    assert.equal(lastText(texts), "Anything else, Lead 1?", texts.join(" | "));
    assert.ok(Date.now() - started >= 1000, "the Retry-After second was waited");
    assert.equal(hubspot.count("POST", /contacts\/search$/) - before, 2, "the refused search was sent again, once");
  });

  it("maps a long 429 to CRM_RATE_LIMITED, a 401 to CRM_UNAUTHORIZED, a 404 to CRM_NOT_FOUND, a 409 to CRM_CONFLICT", async () => {
    hubspot.failures.push({ method: "POST", path: /contacts\/search$/, status: 429, headers: { "retry-after": "120" } });
    assert.equal(lastText((await captureLead(node, tenant, person())).texts), "CRM error: CRM_RATE_LIMITED");

    hubspot.failures.push({ method: "GET", path: /associations\/deals$/, status: 404 });
    assert.equal(lastText((await captureLead(node, tenant, person())).texts), "CRM error: CRM_NOT_FOUND");

    hubspot.failures.push({ method: "POST", path: /objects\/deals$/, status: 409 });
    assert.equal(lastText((await captureLead(node, tenant, person())).texts), "CRM error: CRM_CONFLICT");

    const badToken = await crmTenant(node, "BadToken", { connector: "hubspot", config: { apiUrl: hubspot.url }, credentials: { token: "pat-revoked" } });
    const { texts } = await captureLead(node, badToken, person());
    assert.equal(lastText(texts), "CRM error: CRM_UNAUTHORIZED");
    assert.doesNotMatch(texts.join(" "), /pat-revoked/);
  });

  it("maps a 5xx on create to CRM_UNAVAILABLE without sending the create again", async () => {
    const creates = hubspot.count("POST", /objects\/contacts$/);
    const contacts = hubspot.contacts.size;
    hubspot.failures.push({ method: "POST", path: /objects\/contacts$/, status: 502 });
    assert.equal(lastText((await captureLead(node, tenant, person())).texts), "CRM error: CRM_UNAVAILABLE");
    assert.equal(hubspot.count("POST", /objects\/contacts$/) - creates, 1);
    assert.equal(hubspot.contacts.size, contacts);
  });

  it("retries a search after a 5xx: reading twice writes nothing", async () => {
    hubspot.failures.push({ method: "POST", path: /contacts\/search$/, status: 503 });
    const { texts } = await captureLead(node, tenant, person());
    assert.match(lastText(texts) ?? "", /^Anything else/);
  });

  it("refuses a phone it cannot read as E.164 before anything reaches the CRM", async () => {
    const sent = hubspot.requests.length;
    const { texts } = await captureLead(node, tenant, { name: "Short", email: "short@example.com", phone: "123456" });
    assert.equal(lastText(texts), "CRM error: CRM_INVALID_CONTACT");
    assert.equal(hubspot.requests.length, sent);
  });

  it("Salesforce: a refused client secret is CRM_UNAUTHORIZED", async () => {
    const wrong = await crmTenant(node, "SfWrong", { connector: "salesforce", config: { loginUrl: salesforce.url }, credentials: { client_id: "sf-client", client_secret: "nope" } });
    assert.equal(lastText((await captureLead(node, wrong, person())).texts), "CRM error: CRM_UNAUTHORIZED");
    assert.equal(salesforce.contacts.size, 0);
  });

  it("a write repeated with the same idempotency key answers the first result and sends nothing", async () => {
    const call = <T>(action: string, params: object) => node.platform.broker.call<T, object>(action, { tenantId: tenant.id, ...params });
    const { contact } = await call<{ contact: { id: string } }>("crm.upsertContact", { fields: { email: "idem@example.com", firstname: "Idem" }, idempotencyKey: "s1:save:3" });
    const sent = hubspot.requests.length;
    const again = await call<{ contact: { id: string } }>("crm.upsertContact", { fields: { email: "idem@example.com", firstname: "Other" }, idempotencyKey: "s1:save:3" });
    assert.equal(again.contact.id, contact.id);
    assert.equal(hubspot.requests.length, sent);
    const deal = await call<{ deal: { id: string } }>("crm.createDeal", { contactId: contact.id, name: "Deal A", idempotencyKey: "s1:deal:4" });
    const dealAgain = await call<{ deal: { id: string } }>("crm.createDeal", { contactId: contact.id, name: "Deal B", idempotencyKey: "s1:deal:4" });
    assert.equal(dealAgain.deal.id, deal.deal.id);
    assert.equal([...hubspot.deals.values()].filter((d) => d.properties.dealname === "Deal B").length, 0);
  });

  it("a crm node without an error connection is refused when the flow is saved", async () => {
    const flow = { start: "a", nodes: [{ id: "a", type: "crm", content: { operation: "create_deal" }, connections: { success: "b" } }, { id: "b", type: "end", content: {} }] };
    const answer = await node.request("POST", "/v1/admin/bots", { key: tenant.admin, body: { name: "NoError", flow } });
    assert.equal(answer.status, 422);
    assert.match(JSON.stringify(answer.body.error.details), /error. connection/);
    assert.match(JSON.stringify(answer.body.error.details), /create_deal needs/);
  });

  describe("the generic REST connector", () => {
    let rest: FakeServer;
    const contacts: { id: string; email: string | null; phone: string | null; fields: Record<string, string> }[] = [];
    const deals: { id: string; contactId: string; name: string; amount: number | null; stage: string | null; pipeline: string | null }[] = [];
    before(async () => {
      rest = await startFakeServer((r) => {
        if (r.headers["x-api-key"] !== "rest-key") return { status: 401 };
        if (r.method === "GET" && r.path === "/contacts") return { status: 200, body: { data: contacts.filter((c) => (r.query.get("email") && c.email === r.query.get("email")) || (r.query.get("phone") && c.phone === r.query.get("phone"))) } };
        if (r.method === "POST" && r.path === "/contacts") { const c = { id: `c${contacts.length + 1}`, email: r.json.contact.email ?? null, phone: r.json.contact.phone ?? null, fields: r.json.contact.fields }; contacts.push(c); return { status: 201, body: { data: c } }; }
        const m = r.path.match(/^\/contacts\/(\w+)(\/deals)?$/);
        const c = m && contacts.find((x) => x.id === m[1]);
        if (c && m[2]) return { status: 200, body: { data: deals.filter((d) => d.contactId === c.id) } };
        if (c && r.method === "PATCH") { Object.assign(c.fields, r.json.contact.fields); return { status: 200, body: { data: c } }; }
        if (r.method === "POST" && r.path === "/deals") { const d = { id: `d${deals.length + 1}`, amount: null, stage: null, pipeline: null, ...r.json.deal }; deals.push(d); return { status: 201, body: { data: d } }; }
        return { status: 404 };
      });
    });
    after(async () => rest?.close());

    it("keeps one contact and one deal for a returning lead", async () => {
      const restTenant = await crmTenant(node, "Rest", {
        connector: "rest", credentials: { token: "rest-key" },
        config: {
          baseUrl: rest.url, authHeader: "x-api-key", authScheme: "", responseKey: "data",
          endpoints: { searchContacts: "GET /contacts?email={email}&phone={phone}", createContact: "POST /contacts", updateContact: "PATCH /contacts/{id}", findDeals: "GET /contacts/{contactId}/deals", createDeal: "POST /deals" },
        },
      });
      assert.match(lastText((await captureLead(node, restTenant, { name: "Rita", email: "rita@example.com", phone: "+1 (555) 777-8888" })).texts) ?? "", /^Anything else/);
      assert.match(lastText((await captureLead(node, restTenant, { name: "Rita R", email: "rita@example.com", phone: "555 777 8888" })).texts) ?? "", /^Anything else/);
      assert.equal(contacts.length, 1);
      assert.equal(contacts[0]!.phone, "+15557778888");
      assert.equal(deals.length, 1);
      assert.equal(rest.requests.filter((r) => r.method === "POST").every((r) => typeof r.headers["idempotency-key"] === "string"), true);
    });
  });
});
