import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

describe("plugins on one node", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "bp-plugin-folders-"));
    mkdirSync(join(dir, "broken"));
    writeFileSync(join(dir, "broken", "index.ts"), "export default { definition: { id: 'not-scoped' }, implementation: {} };\n");
    mkdirSync(join(dir, "crashing"));
    writeFileSync(join(dir, "crashing", "index.ts"), "throw new Error('boom at import');\n");
    node = await startTestPlatform({ pluginFolders: [], env: { PLUGINS: `${join(dir, "broken")},${join(dir, "crashing")},./test/fixtures/plugins/hello` } });
  });
  after(async () => {
    await node?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the node running when a plugin fails its checks, and loads the good ones", async () => {
    const listed = await node.request("GET", "/v1/admin/plugins", { key: node.operatorKey });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.plugins.map((p: { id: string }) => p.id), ["@test/hello"]);
  });

  it("validates a plugin action's params with its schema and keeps its error codes", async () => {
    const broker = node.platform.broker;
    assert.deepEqual(await broker.call("plugin.test.hello.hello", { name: "Ada" }), { greeting: "Hello, Ada", version: "1.0.0" });
    await assert.rejects(broker.call("plugin.test.hello.hello", { name: "" }), (e: { code: string }) => e.code === "VALIDATION_FAILED");
    await assert.rejects(broker.call("plugin.test.hello.refuse", {}), (e: { code: string; status: number }) => e.code === "HELLO_REFUSED" && e.status === 400);
  });

  it("serves a plugin's own HTTP routes, with the raw body for signatures", async () => {
    const got = await node.request("GET", "/v1/channels/hello/ada?x=1");
    assert.deepEqual(got.body, { hello: "ada", query: { x: "1" } });
    const raw = '{"b": 1,  "a": [2]}';
    const posted = await node.request("POST", "/v1/channels/hello/echo", { rawBody: raw });
    assert.equal(posted.status, 202);
    assert.equal(posted.headers.get("x-echo"), "yes");
    assert.deepEqual(posted.body, { raw, parsed: { b: 1, a: [2] } });
    const form = await node.request("POST", "/v1/channels/hello/echo", { rawBody: "From=%2B15551234567&Body=hi", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.deepEqual(form.body.parsed, { From: "+15551234567", Body: "hi" });
    assert.equal((await node.request("GET", "/v1/channels/hello-widget/whoami")).status, 401);
    const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "W" } })).body;
    assert.deepEqual((await node.request("GET", "/v1/channels/hello-widget/whoami", { key: tenant.keys.widget })).body, { tenantId: tenant.id });
    assert.equal((await node.request("GET", "/v1/channels/nobody/here")).body.error.code, "ROUTE_NOT_FOUND");
  });

  it("answers a runtime load of a broken plugin with its coded error, and nothing changes", async () => {
    const answer = await node.request("POST", "/v1/operator/plugins", { key: node.operatorKey, body: { source: join(dir, "broken") } });
    assert.equal(answer.status, 422, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, "PLUGIN_INVALID_MANIFEST");
    const missing = await node.request("POST", "/v1/operator/plugins", { key: node.operatorKey, body: { source: "./nowhere/at-all" } });
    assert.equal(missing.body.error.code, "PLUGIN_IMPORT_FAILED");
    const tenant = await node.request("POST", "/v1/operator/plugins", { key: "sk_whatever", body: { source: "./x" } });
    assert.equal(tenant.status, 401);
  });
});
