import assert from "node:assert/strict";
import { createAckPriority } from "./ack-priority.ts";

const nextPass = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A publish whose PubAck comes when the test says so. */
function pendingPublish() {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  return { answer, answered };
}

describe("webhook acknowledgements before turns on one node", () => {
  it("holds a turn's next step while a webhook waits for its acknowledgement, and lets it go once answered", async () => {
    const priority = createAckPriority({ maxHoldMs: 60_000 });
    const publish = pendingPublish();
    const acknowledged = priority.acknowledging(() => publish.answered);
    let stepped = false;
    const step = priority.step().then(() => (stepped = true));
    for (let i = 0; i < 5; i++) await nextPass();
    assert.equal(stepped, false);
    publish.answer();
    await acknowledged;
    await step;
    assert.equal(stepped, true);
  });

  it("lets held steps go one per pass of the event loop, in the order they came", async () => {
    const priority = createAckPriority({ maxHoldMs: 60_000 });
    const order: number[] = [];
    const steps = [1, 2, 3].map((n) => priority.step().then(() => order.push(n)));
    await nextPass();
    assert.deepEqual(order, [1]);
    await Promise.all(steps);
    assert.deepEqual(order, [1, 2, 3]);
  });

  it("still moves a turn when acknowledgements never stop waiting", async () => {
    const priority = createAckPriority({ maxHoldMs: 1 });
    const publish = pendingPublish();
    const acknowledged = priority.acknowledging(() => publish.answered);
    await priority.step();
    publish.answer();
    await acknowledged;
  });

  it("still runs every held step, in order, while webhooks arrive on a crowded loop", async () => {
    // A ceiling of 0: any work at all counts as crowded, so each step waits its millisecond.
    const priority = createAckPriority({ ceiling: 0, windowMs: 1 });
    await priority.acknowledging(async () => "queued");
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => priority.step().then(() => order.push(n))));
    assert.deepEqual(order, [1, 2, 3]);
  });

  it("answers the acknowledgement with what the publish returned, or its error", async () => {
    const priority = createAckPriority();
    assert.equal(await priority.acknowledging(async () => "queued"), "queued");
    await assert.rejects(priority.acknowledging(async () => { throw new Error("no PubAck"); }), /no PubAck/);
  });
});
