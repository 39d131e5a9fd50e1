import assert from "node:assert/strict";
import { createKeyedConcurrency, type Permit } from "./keyed-concurrency.ts";

const permitOf = (p: Awaited<ReturnType<ReturnType<typeof createKeyedConcurrency>["acquire"]>>): Permit => {
  if ("refused" in p) throw new Error("refused");
  return p;
};

describe("keyed concurrency", () => {
  it("runs N per key at once, queues up to the bound in order, and refuses beyond with a Retry-After", async () => {
    const gate = createKeyedConcurrency({ concurrency: 2, queue: 1 });
    const a = permitOf(await gate.acquire("t1"));
    permitOf(await gate.acquire("t1"));
    let thirdStarted = false;
    const third = gate.acquire("t1").then((p) => ((thirdStarted = true), permitOf(p)));
    const refused = await gate.acquire("t1");
    assert.ok("refused" in refused && refused.refused.retryAfterSeconds >= 1);
    // Another key is not held up by t1's backlog.
    assert.ok(!("refused" in (await gate.acquire("t2"))));
    assert.equal(thirdStarted, false);
    a.release();
    await third;
    assert.equal(thirdStarted, true);
    assert.deepEqual(gate.load("t1"), { running: 2, waiting: 0 });
  });

  it("holds a place until background work settles, however it ends", async () => {
    const gate = createKeyedConcurrency({ concurrency: 1, queue: 0 });
    const p = permitOf(await gate.acquire("t"));
    let finish!: () => void;
    p.holdUntil(new Promise<void>((_, reject) => (finish = () => reject(new Error("failed")))).catch(() => {}));
    p.release(); // the answer went out; the work goes on
    assert.ok("refused" in (await gate.acquire("t")));
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(!("refused" in (await gate.acquire("t"))));
  });
});
