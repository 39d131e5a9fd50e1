import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

for (const backend of databaseBackends()) {
  describe(`gateway and tenancy (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let acme: { id: string; keys: { admin: string; widget: string } };
    let globex: { id: string; keys: { admin: string; widget: string } };

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: [] });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", allowedDomains: ["shop.acme.test"] } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex", tier: "paid" } })).body;
    });
    after(async () => node?.cleanup());

    it("creates a tenant with an admin and a widget key, shown once", async () => {
      const created = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Initech" } });
      assert.equal(created.status, 201);
      assert.match(created.body.keys.admin, /^sk_/);
      assert.match(created.body.keys.widget, /^pk_/);
      const keys = await node.request("GET", `/v1/admin/tenants/${created.body.id}/keys`, { key: node.operatorKey });
      assert.equal(keys.status, 200);
      assert.equal(keys.body.keys.length, 2);
      assert.ok(!JSON.stringify(keys.body).includes(created.body.keys.admin), "a listed key never shows the key itself");
    });

    it("lets a tenant admin key reach only its own tenant; another tenant answers 404", async () => {
      const own = await node.request("GET", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin });
      assert.equal(own.status, 200);
      assert.equal(own.body.name, "Acme");
      const other = await node.request("GET", `/v1/admin/tenants/${globex.id}`, { key: acme.keys.admin });
      assert.equal(other.status, 404);
      assert.equal(other.body.error.code, "TENANT_NOT_FOUND");
      assert.ok(!other.text.includes("Globex"));
      const list = await node.request("GET", "/v1/admin/tenants", { key: acme.keys.admin });
      assert.equal(list.status, 403);
    });

    it("answers missing, wrong and wrong-kind keys with 401 and 403 and a code", async () => {
      const missing = await node.request("GET", "/v1/admin/tenant");
      assert.deepEqual([missing.status, missing.body.error.code], [401, "MISSING_KEY"]);
      const wrong = await node.request("GET", "/v1/admin/tenant", { key: "sk_not_a_real_key" });
      assert.deepEqual([wrong.status, wrong.body.error.code], [401, "INVALID_KEY"]);
      const widget = await node.request("GET", "/v1/admin/tenant", { key: acme.keys.widget });
      assert.deepEqual([widget.status, widget.body.error.code], [403, "WRONG_KEY_KIND"]);
    });

    it("answers bad JSON, unknown fields, wrong types and oversized bodies with a 4xx and a code", async () => {
      const badJson = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, rawBody: "{\"name\": " });
      assert.deepEqual([badJson.status, badJson.body.error.code], [400, "INVALID_JSON"]);
      const unknown = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "X", plan: "gold" } });
      assert.deepEqual([unknown.status, unknown.body.error.code], [400, "VALIDATION_FAILED"]);
      assert.match(unknown.body.error.message, /plan/);
      const wrongType = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: 42 } });
      assert.deepEqual([wrongType.status, wrongType.body.error.code], [400, "VALIDATION_FAILED"]);
      const huge = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "x".repeat(2 * 1024 * 1024) } });
      assert.deepEqual([huge.status, huge.body.error.code], [413, "PAYLOAD_TOO_LARGE"]);
      const notJson = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, rawBody: "name=x", headers: { "content-type": "text/plain" } });
      assert.equal(notJson.status, 415);
      const noRoute = await node.request("GET", "/v1/nothing-here");
      assert.deepEqual([noRoute.status, noRoute.body.error.code], [404, "ROUTE_NOT_FOUND"]);
    });

    it("rotates a key: the new one works at once and the old one stops", async () => {
      const t = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Rotating" } })).body;
      assert.equal((await node.request("GET", "/v1/admin/tenant", { key: t.keys.admin })).status, 200);
      const rotated = await node.request("POST", `/v1/admin/tenants/${t.id}/keys`, { key: t.keys.admin, body: { kind: "admin" } });
      assert.equal(rotated.status, 201);
      assert.equal((await node.request("GET", "/v1/admin/tenant", { key: t.keys.admin })).status, 401);
      assert.equal((await node.request("GET", "/v1/admin/tenant", { key: rotated.body.key })).status, 200);
      const keys = (await node.request("GET", `/v1/admin/tenants/${t.id}/keys`, { key: node.operatorKey })).body.keys;
      const widget = keys.find((k: { kind: string }) => k.kind === "widget");
      assert.equal((await node.request("DELETE", `/v1/admin/tenants/${t.id}/keys/${widget.id}`, { key: rotated.body.key })).status, 204);
      const deleted = await node.request("DELETE", `/v1/admin/tenants/${t.id}`, { key: node.operatorKey });
      assert.equal(deleted.status, 204);
      assert.equal((await node.request("GET", "/v1/admin/tenant", { key: rotated.body.key })).status, 401);
    });

    it("lets only the operator change a tier", async () => {
      const bySelf = await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { tier: "paid" } });
      assert.deepEqual([bySelf.status, bySelf.body.error.code], [403, "TIER_CHANGE_FORBIDDEN"]);
      const renamed = await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { name: "Acme Ltd" } });
      assert.equal(renamed.body.name, "Acme Ltd");
    });

    it("echoes a request id, or makes one", async () => {
      const given = await node.request("GET", "/health", { headers: { "x-request-id": "abc-123" } });
      assert.equal(given.headers.get("x-request-id"), "abc-123");
      const made = await node.request("GET", "/health");
      assert.match(made.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    });

    it("serves Prometheus text with request counts and latency", async () => {
      const metrics = await node.request("GET", "/metrics", { key: node.operatorKey });
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
      for (const line of metrics.text.split("\n").filter((l) => l && !l.startsWith("#"))) {
        assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/, `not Prometheus text: ${line}`);
      }
      assert.match(metrics.text, /http_requests_total\{.*route="\/health".*\} \d+/);
      assert.match(metrics.text, /http_request_duration_seconds_bucket/);
      assert.match(metrics.text, /moleculer_request_total/);
    });

    it("publishes an OpenAPI 3 document generated from the routes, and a docs page", async () => {
      const doc = await node.request("GET", "/docs/openapi.json");
      assert.equal(doc.status, 200);
      assert.match(doc.body.openapi, /^3\./);
      assert.ok(doc.body.paths["/v1/admin/tenants"].post.requestBody, "the tenant body schema is in the document");
      assert.ok(doc.body.paths["/v1/admin/tenants/{tenantId}"]);
      const page = await node.request("GET", "/docs/");
      assert.equal(page.status, 200);
      assert.match(page.text, /<html/i);
    });

    it("reports readiness of database, cache and broker", async () => {
      const ready = await node.request("GET", "/ready");
      assert.deepEqual(ready.body, { status: "ready", checks: { database: true, cache: true, broker: true } });
    });
  });
}

describe("per-tenant rate limits", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  before(async () => {
    node = await startTestPlatform({ pluginFolders: [], env: { RATE_LIMIT_FREE_PER_MINUTE: "3", RATE_LIMIT_PAID_PER_MINUTE: "6" } });
  });
  after(async () => node?.cleanup());

  it("answers 429 with Retry-After once a free tenant spends its minute, and leaves other tenants alone", async () => {
    const free = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Free" } })).body;
    const paid = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Paid", tier: "paid" } })).body;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await node.request("GET", "/v1/admin/tenant", { key: free.keys.admin })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await node.request("GET", "/v1/admin/tenant", { key: free.keys.admin });
    assert.equal(limited.body.error.code, "TENANT_RATE_LIMITED");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    for (let i = 0; i < 5; i++) assert.equal((await node.request("GET", "/v1/admin/tenant", { key: paid.keys.admin })).status, 200);
  });
});
