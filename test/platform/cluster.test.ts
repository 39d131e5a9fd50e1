import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPlatformError } from "../../core/sdk/platform-error.ts";
import { createTestDatabase, testServices, uniqueName } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { eventually } from "../kit/eventually.ts";

const sdk = join(import.meta.dirname, "../../core/sdk/index.ts");

function writeVersionedPlugin(dir: string, version: string): string {
  const folder = join(dir, `greeter-${version}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "index.ts"), `
import { definePlugin, implementPlugin, z } from ${JSON.stringify(sdk)};
const definition = definePlugin({ id: "@test/greeter", version: "${version}", platform: "^1.0.0", kinds: ["tool"], actions: { greet: { params: z.object({}) } } });
export default implementPlugin(definition, { actions: { greet: () => ({ version: "${version}" }) } });
`);
  return folder;
}

describe("a cluster of two nodes on NATS", function () {
  this.timeout(90_000);
  let a: TestPlatform;
  let b: TestPlatform;
  let database: { url: string; drop(): Promise<void> };
  let pluginsDir: string;

  before(async function () {
    if (!testServices.natsUrl || !testServices.postgresUrl) return this.skip();
    database = await createTestDatabase();
    const namespace = uniqueName("cluster");
    const shared = { databaseUrl: database.url, transporter: testServices.natsUrl, namespace, redis: true, pluginFolders: [] as string[] };
    // Both nodes share one Redis prefix, as the nodes of one deployment do.
    const env = { RATE_LIMIT_FREE_PER_MINUTE: "8", REDIS_PREFIX: `${namespace}:` };
    a = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-a` } });
    b = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-b` } });
    pluginsDir = mkdtempSync(join(tmpdir(), "bp-plugins-"));
    await a.platform.broker.waitForServices(["tenants"], 10_000);
    await eventually(() => a.platform.broker.registry.nodes.toArray().filter((n) => n.available).length, (n) => n >= 2, 10_000);
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
    if (pluginsDir) rmSync(pluginsDir, { recursive: true, force: true });
  });

  it("calls a service that runs only on node B from node A", async () => {
    b.platform.broker.createService({ name: "only-on-b", actions: { where() { return { node: this.broker.nodeID }; } } });
    await a.platform.broker.waitForServices(["only-on-b"], 5000);
    const answer = await a.platform.broker.call<{ node: string }>("only-on-b.where");
    assert.equal(answer.node, b.platform.broker.nodeID);
  });

  it("keeps an error's class and code across the hop", async () => {
    try {
      await a.platform.broker.call("tenants.get", { tenantId: crypto.randomUUID() }, { nodeID: b.platform.broker.nodeID });
      assert.fail("expected a NotFoundError");
    } catch (error) {
      assert.ok(isPlatformError(error), "rebuilt as a PlatformError");
      assert.equal((error as Error).name, "NotFoundError");
      assert.equal((error as { code: string }).code, "TENANT_NOT_FOUND");
      assert.equal((error as { status: number }).status, 404);
      assert.equal((error as { nodeID?: string }).nodeID, b.platform.broker.nodeID);
    }
  });

  it("a tenant created through node A is served by node B", async () => {
    const created = await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Shared" } });
    const onB = await b.request("GET", "/v1/admin/tenant", { key: created.body.keys.admin });
    assert.equal(onB.body.name, "Shared");
  });

  it("loads a plugin on node A at run time and it becomes callable on node B, without a restart", async () => {
    const source = writeVersionedPlugin(pluginsDir, "1.0.0");
    const loaded = await a.request("POST", "/v1/operator/plugins", { key: a.operatorKey, body: { source } });
    assert.equal(loaded.status, 201, loaded.text);
    const onB = await eventually(() => b.platform.plugins.get("@test/greeter")?.version, (v) => v === "1.0.0");
    assert.equal(onB, "1.0.0", "node B loaded it too");
    assert.deepEqual(await b.platform.broker.call("plugin.test.greeter.greet", {}, { nodeID: b.platform.broker.nodeID }), { version: "1.0.0" });
    const listed = await b.request("GET", "/v1/admin/plugins", { key: b.operatorKey });
    assert.ok(listed.body.plugins.some((p: { id: string }) => p.id === "@test/greeter"));
  });

  it("replaces the plugin on every node with a new version, then unloads it everywhere", async () => {
    const source = writeVersionedPlugin(pluginsDir, "2.0.0");
    assert.equal((await a.request("POST", "/v1/operator/plugins", { key: a.operatorKey, body: { source } })).status, 201);
    assert.equal(await eventually(() => b.platform.plugins.get("@test/greeter")?.version, (v) => v === "2.0.0"), "2.0.0");
    // Node A learns of B's re-registered service by gossip, a moment after B itself has it.
    const fromA = await eventually(
      () => a.platform.broker.call("plugin.test.greeter.greet", {}, { nodeID: b.platform.broker.nodeID }).catch((error: Error) => error.name),
      (answer) => typeof answer === "object",
    );
    assert.deepEqual(fromA, { version: "2.0.0" });
    assert.equal((await a.request("DELETE", "/v1/operator/plugins/@test/greeter", { key: a.operatorKey })).status, 204);
    assert.equal(await eventually(() => b.platform.plugins.get("@test/greeter"), (p) => p === undefined), undefined);
  });

  it("holds a tenant's rate limit across both nodes through Redis", async function () {
    if (!testServices.redisUrl) return this.skip();
    const tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Chatty" } })).body;
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await (i % 2 ? b : a).request("GET", "/v1/admin/tenant", { key: tenant.keys.admin })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 429, 429], "eight a minute in all, whichever node answers");
  });

  it("drains a request in flight before node B leaves", async () => {
    let release: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      b.platform.broker.createService({
        name: "slow-on-b",
        actions: { work: () => new Promise((done) => { resolve(); release = () => done({ finished: true }); }) },
      });
    });
    await a.platform.broker.waitForServices(["slow-on-b"], 5000);
    const call = a.platform.broker.call("slow-on-b.work");
    await started;
    const stopping = b.stop();
    setTimeout(() => release(), 300);
    assert.deepEqual(await call, { finished: true });
    await stopping;
  });
});
