import assert from "node:assert/strict";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { eventually } from "../kit/eventually.ts";
import { uniqueName } from "../kit/test-services.ts";
import { findProgram, freePort, startChild, type Child } from "./abuse-kit.ts";

/** What a tenant does on a normal day: admin calls, then a chat. None of it may answer 500. */
async function aDayOfWork(node: TestPlatform, name: string): Promise<{ widget: string; sessionId: string }> {
  const tenant = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name } });
  assert.equal(tenant.status, 201, tenant.text);
  const { admin, widget } = tenant.body.keys;
  const bot = await node.request("POST", "/v1/admin/bots", { key: admin, body: { name: `${name} bot`, flow: exampleFlow } });
  assert.equal(bot.status, 201, bot.text);
  assert.equal((await node.request("GET", "/v1/admin/bots", { key: admin })).status, 200);
  const session = await node.request("POST", "/v1/chat/sessions", { key: widget, body: { botId: bot.body.id } });
  assert.equal(session.status, 201, session.text);
  const reply = await node.request("POST", `/v1/chat/sessions/${session.body.sessionId}/messages`, { key: widget, body: { text: "Ada Lovelace" } });
  assert.equal(reply.status, 200, reply.text);
  assert.ok(reply.body.messages.length > 0, "the bot answered");
  return { widget, sessionId: session.body.sessionId };
}

/**
 * Issue: with Redis unreachable every admin call and chat message answered 500, and a node started
 * while Redis was down exited with a stack. Now the node starts, serves with node-local cache and
 * limits, says `degraded` on /ready, and goes back to Redis when it returns.
 */
describe("a Redis outage degrades to node-local limits instead of failing", function () {
  this.timeout(120_000);

  describe("a node started while nothing listens on the Redis port", () => {
    let node: TestPlatform;
    before(async () => {
      const port = await freePort();
      node = await startTestPlatform({ pluginFolders: ["plugins"], env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: `${uniqueName("bp")}:`, RATE_LIMIT_FREE_PER_MINUTE: "12" } });
    });
    after(async () => node?.cleanup());

    it("starts, and says on /ready that the cache is degraded while it keeps serving", async () => {
      const ready = await node.request("GET", "/ready");
      assert.equal(ready.status, 200, ready.text);
      assert.deepEqual(ready.body, { status: "degraded", checks: { database: true, cache: "degraded", broker: true } });
    });

    it("answers admin calls and chat messages, and still enforces the rate limit on this node", async () => {
      const { widget, sessionId } = await aDayOfWork(node, "Acme");
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await node.request("GET", `/v1/chat/sessions/${sessionId}`, { key: widget })).status);
      assert.ok(!statuses.includes(500), `no 500 among ${statuses.join(",")}`);
      assert.ok(statuses.includes(429), `the node-local limit of 12 a minute holds: ${statuses.join(",")}`);
    });
  });

  describe("Redis going away under a running node, and coming back", () => {
    let redis: Child | undefined;
    let program: string | undefined;
    let port: number;
    let node: TestPlatform;
    const startRedis = () => startChild(program!, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], port);

    before(async function () {
      program = findProgram("redis-server");
      if (!program) return this.skip();
      port = await freePort();
      redis = await startRedis();
      node = await startTestPlatform({ pluginFolders: ["plugins"], env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: `${uniqueName("bp")}:` } });
    });
    after(async () => {
      await node?.cleanup();
      await redis?.stop();
    });

    it("is ready on Redis, serves through the outage, and is ready again when Redis is back", async () => {
      assert.deepEqual((await node.request("GET", "/ready")).body, { status: "ready", checks: { database: true, cache: true, broker: true } });
      await redis!.stop();
      const during = await eventually(() => node.request("GET", "/ready"), (r) => r.body?.status === "degraded", 10_000);
      assert.equal(during.status, 200);
      await aDayOfWork(node, "Globex");
      redis = await startRedis();
      const after = await eventually(() => node.request("GET", "/ready"), (r) => r.body?.status === "ready", 15_000);
      assert.deepEqual(after.body.checks, { database: true, cache: true, broker: true });
      await aDayOfWork(node, "Initech");
    });
  });
});
