import assert from "node:assert/strict";
import { openCacheBackend, type CacheBackend } from "../../core/kernel/cache/cache-backend.ts";
import { CircuitOpenError } from "../../core/sdk/resilience.ts";
import { testServices, uniqueName } from "../kit/test-services.ts";

describe("circuit breakers shared by broker nodes through Redis", function () {
  let nodeA: CacheBackend;
  let nodeB: CacheBackend;
  before(async function () {
    if (!testServices.redisUrl) return this.skip();
    const prefix = `${uniqueName("bp")}:`;
    nodeA = await openCacheBackend({ REDIS_URL: testServices.redisUrl, REDIS_PREFIX: prefix });
    nodeB = await openCacheBackend({ REDIS_URL: testServices.redisUrl, REDIS_PREFIX: prefix });
  });
  after(async () => { await nodeA?.close(); await nodeB?.close(); });

  it("pauses a target on every node once it failed enough on one, and closes everywhere after a good trial", async () => {
    const options = { threshold: 2, resetMs: 150 };
    let calls = 0;
    for (let i = 0; i < 2; i++) await assert.rejects(nodeA.circuits.run("acme|down.test", options, async () => { calls++; throw new Error("refused"); }), /refused/);
    await assert.rejects(nodeB.circuits.run("acme|down.test", options, async () => { calls++; }), CircuitOpenError);
    assert.equal(calls, 2, "the other node made no call");
    assert.equal(await nodeB.circuits.state("acme|down.test", options), "open");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await nodeB.circuits.run("acme|down.test", options, async () => "back"), "back");
    assert.equal(await nodeA.circuits.state("acme|down.test", options), "closed");
  });
});
