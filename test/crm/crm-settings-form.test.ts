import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

/** What the console's CRM form is drawn from, and saving it without ever reading a credential back. */
describe("crm: the settings a form needs, credentials write-only", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let admin: string;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"] });
    admin = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } })).body.keys.admin;
  });
  after(async () => node?.cleanup());

  it("lists each connector with its config schema and the credentials it asks for", async () => {
    const settings = await node.request("GET", "/v1/admin/crm", { key: admin });
    assert.equal(settings.status, 200, settings.text);
    const byName = Object.fromEntries(settings.body.connectors.map((c: { name: string }) => [c.name, c]));
    assert.deepEqual(Object.keys(byName), ["platform", "hubspot", "salesforce", "rest", "marketplace"]);
    assert.deepEqual(byName.hubspot.secrets.map((s: { name: string }) => s.name), ["token"]);
    assert.deepEqual(byName.salesforce.secrets.map((s: { name: string }) => s.name), ["client_id", "client_secret"]);
    assert.ok(byName.hubspot.configSchema.properties.apiUrl, JSON.stringify(byName.hubspot.configSchema));
    assert.equal(byName.platform.available, true);
  });

  it("keeps stored credentials when asked (keepCredentials), and replaces them otherwise", async () => {
    const first = await node.request("PUT", "/v1/admin/crm", { key: admin, body: { connector: "hubspot", config: { apiUrl: "https://api.hubapi.com" }, credentials: { token: "pat-secret-1" }, webhookSecret: "a-webhook-secret-of-length" } });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.body.credentialNames, first.body.webhookSecretSet], [["token"], true]);
    assert.ok(!first.text.includes("pat-secret-1"), "a credential never comes back");
    const kept = await node.request("PUT", "/v1/admin/crm", { key: admin, body: { connector: "hubspot", config: { apiUrl: "https://api-eu1.hubapi.com" }, keepCredentials: true } });
    assert.deepEqual([kept.body.credentialNames, kept.body.webhookSecretSet, kept.body.config.apiUrl], [["token"], true, "https://api-eu1.hubapi.com"]);
    const replaced = await node.request("PUT", "/v1/admin/crm", { key: admin, body: { connector: "platform" } });
    assert.deepEqual([replaced.body.credentialNames, replaced.body.webhookSecretSet], [[], false]);
  });
});
