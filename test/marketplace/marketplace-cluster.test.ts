import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, testServices, uniqueName } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { buildPackage, createIntegrator, quoteFlow } from "./marketplace-kit.ts";
import { eventually } from "../kit/eventually.ts";

describe("the marketplace on two nodes over NATS", function () {
  this.timeout(120_000);
  let a: TestPlatform;
  let b: TestPlatform;
  let database: { url: string; drop(): Promise<void> };
  let packages: string;
  let shared: Parameters<typeof startTestPlatform>[0] & object;
  let env: Record<string, string>;
  let namespace: string;

  before(async function () {
    if (!testServices.natsUrl || !testServices.postgresUrl) return this.skip();
    database = await createTestDatabase();
    packages = mkdtempSync(join(tmpdir(), "bp-packages-"));
    namespace = uniqueName("market");
    shared = { databaseUrl: database.url, transporter: testServices.natsUrl, namespace, redis: true, pluginFolders: ["plugins", "channels"] };
    env = { REDIS_PREFIX: `${namespace}:`, MARKETPLACE_DIR: packages, MARKETPLACE_EXAMPLES: "false" };
    a = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-a` } });
    b = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-b` } });
    await eventually(async () => a.platform.broker.registry.nodes.toArray().filter((n) => n.available).length, (n) => n >= 2, 10_000);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
    if (packages) rmSync(packages, { recursive: true, force: true });
  });

  it("makes an install on node A usable through node B and a node that joins later, without a restart; an uninstall too", async () => {
    const integrator = await createIntegrator(a, "Cluster Labs");
    assert.equal((await integrator.publish(await buildPackage({ id: "@labs/pricing", version: "1.0.0" }))).status, 201);
    const tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Acme" } })).body;
    // Node B looks first, so it holds a view of the tenant without the plugin.
    const before = await b.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Too early", flow: quoteFlow() } });
    assert.equal(before.status, 422, before.text);

    const installed = await a.request("POST", "/v1/admin/plugins", { key: tenant.keys.admin, body: { plugin: "@labs/pricing", grants: ["kv"], config: { currency: "USD" } } });
    assert.equal(installed.status, 201, installed.text);
    const bot = await eventually(() => b.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Shop", flow: quoteFlow() } }), (r) => r.status === 201);
    assert.equal(bot.status, 201, bot.text);
    const started = await b.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: bot.body.id } });
    const answered = await b.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: tenant.keys.widget, body: { text: "2" } });
    assert.equal(answered.status, 200, answered.text);
    assert.ok(answered.body.messages.some((m: { text: string }) => m.text.includes("20.00 USD")), answered.text);

    // A tool installed through node A answers when called on node B.
    const tool = { name: "double", description: "Doubles n", inputSchema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] } };
    const published = await integrator.publish(await buildPackage({ id: "@labs/double", version: "1.0.0", manifest: { kinds: ["tool"], nodeTypes: [], tools: [tool], capabilities: [] }, bundle: () => "export const tools = { double: async ({ args }) => String(args.n * 2) };" }));
    assert.equal(published.status, 201, published.text);
    assert.equal((await a.request("POST", "/v1/admin/plugins", { key: tenant.keys.admin, body: { plugin: "@labs/double" } })).status, 201);
    const doubled = await b.platform.broker.call("marketplaceInstalls.callTool", { tenantId: tenant.id, plugin: "@labs/double", tool: "double", args: { n: 21 } }, { nodeID: b.platform.broker.nodeID });
    assert.deepEqual(doubled, { content: [{ type: "text", text: "42" }], isError: false });

    // A node that joins after the install loads what is installed, and answers with it from its first turn.
    const c = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-c` } });
    try {
      const late = await c.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: bot.body.id } });
      assert.equal(late.status, 201, late.text);
      const lateTurn = await c.request("POST", `/v1/chat/sessions/${late.body.sessionId}/messages`, { key: tenant.keys.widget, body: { text: "3" } });
      assert.equal(lateTurn.status, 200, lateTurn.text);
      assert.ok(lateTurn.body.messages.some((m: { text: string }) => m.text.includes("30.00 USD")), lateTurn.text);
      const validOnC = await c.platform.broker.call<{ valid: boolean }, object>("bots.validate", { tenantId: tenant.id, flow: quoteFlow() }, { nodeID: c.platform.broker.nodeID });
      assert.equal(validOnC.valid, true);
    } finally {
      await c.stop();
    }

    assert.equal((await a.request("DELETE", "/v1/admin/plugins/@labs/pricing", { key: tenant.keys.admin })).status, 200);
    const after = await eventually(() => b.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Too late", flow: quoteFlow() } }), (r) => r.status === 422);
    assert.equal(after.status, 422, after.text);
  });
});
