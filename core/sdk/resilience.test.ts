import assert from "node:assert/strict";
import { CircuitOpenError, createCircuitBreakers, createMemoryCircuitStore, retryWithBackoff } from "./resilience.ts";
import { TransientError, ValidationError } from "./platform-error.ts";

describe("retries and circuit breakers", () => {
  it("tries again after a failure worth it, doubling the wait, and gives up after the retries", async () => {
    const at: number[] = [];
    await assert.rejects(retryWithBackoff(async () => { at.push(Date.now()); throw new TransientError("DOWN", "down"); }, { retries: 2, baseMs: 40 }), { code: "DOWN" });
    assert.equal(at.length, 3);
    assert.ok(at[1]! - at[0]! >= 35 && at[2]! - at[1]! >= 75, `waits should double: ${at[1]! - at[0]!} then ${at[2]! - at[1]!} ms`);
  });

  it("does not try again after a failure that will not pass, and waits as long as the failure asks", async () => {
    let tries = 0;
    await assert.rejects(retryWithBackoff(async () => { tries++; throw new ValidationError("BAD", "bad", {}); }, { retries: 3, baseMs: 1 }), { code: "BAD" });
    assert.equal(tries, 1);
    const began = Date.now();
    const answer = await retryWithBackoff(async (attempt) => { if (attempt === 0) throw new TransientError("BUSY", "busy"); return "ok"; }, { retries: 1, baseMs: 1, askedWaitMs: () => 120 });
    assert.equal(answer, "ok");
    assert.ok(Date.now() - began >= 110);
  });

  it("opens after repeated failures, refuses without calling, then lets one trial through", async () => {
    const circuits = createCircuitBreakers();
    const options = { threshold: 2, resetMs: 80 };
    let calls = 0;
    const failing = () => circuits.run("t1|down.test", options, async () => { calls++; throw new Error("refused"); });
    for (let i = 0; i < 2; i++) await assert.rejects(failing(), /refused/);
    await assert.rejects(failing(), CircuitOpenError);
    assert.equal(calls, 2, "an open circuit makes no call");
    assert.equal(await circuits.state("t1|down.test", options), "open");
    assert.equal(await circuits.run("t2|down.test", options, async () => "another key is closed"), "another key is closed");
    await new Promise((resolve) => setTimeout(resolve, 100));
    let release!: () => void;
    const trial = circuits.run("t1|down.test", options, () => new Promise<string>((resolve) => { release = () => resolve("back"); }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await assert.rejects(circuits.run("t1|down.test", options, async () => "second"), CircuitOpenError, "one trial at a time");
    release();
    assert.equal(await trial, "back");
    assert.equal(await circuits.state("t1|down.test", options), "closed");
  });

  it("shares an open circuit between nodes that share the store", async () => {
    const store = createMemoryCircuitStore();
    const nodeA = createCircuitBreakers(store);
    const nodeB = createCircuitBreakers(store);
    const options = { threshold: 1, resetMs: 60_000 };
    await assert.rejects(nodeA.run("k", options, async () => { throw new Error("down"); }), /down/);
    let called = false;
    await assert.rejects(nodeB.run("k", options, async () => { called = true; }), CircuitOpenError);
    assert.equal(called, false);
  });
});
