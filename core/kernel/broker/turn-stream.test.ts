import assert from "node:assert/strict";
import type { ServiceBroker } from "moleculer";
import { deliverStreamEvents, listenTurnStream, openStreamSink, STREAM_EVENTS_ACTION, type StreamEvent } from "./turn-stream.ts";

/** A broker stand-in: its own node id, and calls to other nodes that take `delayMs` each. */
function fakeBroker(nodeID: string, delayMs = 5, fail = false) {
  const sent: { action: string; nodeID?: string; events: StreamEvent[] }[] = [];
  const broker = {
    nodeID,
    async call(action: string, params: { events: StreamEvent[] }, options: { nodeID?: string }) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (fail) throw new Error("node gone");
      sent.push({ action, nodeID: options.nodeID, events: params.events });
      return true;
    },
  };
  return { broker: broker as unknown as ServiceBroker, sent };
}

describe("live turn streams", () => {
  it("hands events to a watcher on the same node at once, without a broker call", () => {
    const { broker, sent } = fakeBroker("a");
    const seen: StreamEvent[] = [];
    const live = listenTurnStream(broker, (event) => seen.push(event));
    const sink = openStreamSink(broker, { ...live.handle, index: 2 })!;
    sink.delta("Hel");
    sink.delta("lo");
    sink.reset();
    sink.reset("turn");
    assert.deepEqual(seen, [{ type: "delta", index: 2, text: "Hel" }, { type: "delta", index: 2, text: "lo" }, { type: "reset", index: 2 }, { type: "reset" }]);
    assert.equal(sent.length, 0);
    live.close();
    sink.delta("late");
    assert.equal(seen.length, 4, "a closed watcher gets nothing more");
  });

  it("sends to another node one batch at a time, joining what piled up meanwhile, in order, and flushes", async () => {
    const { broker, sent } = fakeBroker("b");
    const sink = openStreamSink(broker, { nodeID: "a", streamId: "s1", index: 0 })!;
    sink.delta("one ");
    sink.delta("two ");
    sink.delta("three");
    sink.reset();
    sink.delta("again");
    await sink.flush();
    assert.deepEqual(sent.map((s) => [s.action, s.nodeID]), [[STREAM_EVENTS_ACTION, "a"], [STREAM_EVENTS_ACTION, "a"]]);
    assert.deepEqual(sent.flatMap((s) => s.events), [
      { type: "delta", index: 0, text: "one " },
      { type: "delta", index: 0, text: "two three" },
      { type: "reset", index: 0 },
      { type: "delta", index: 0, text: "again" },
    ]);
  });

  it("gives up quietly when the watcher's node cannot be reached", async () => {
    const { broker, sent } = fakeBroker("b", 1, true);
    const sink = openStreamSink(broker, { nodeID: "a", streamId: "s2" })!;
    sink.delta("lost");
    await sink.flush();
    sink.delta("also lost");
    await sink.flush();
    assert.equal(sent.length, 0);
  });

  it("opens no sink without a valid handle, and drops events for a stream nobody watches", () => {
    const { broker } = fakeBroker("a");
    assert.equal(openStreamSink(broker, undefined), undefined);
    assert.equal(openStreamSink(broker, { nodeID: "a" }), undefined);
    assert.equal(openStreamSink(broker, { nodeID: "a", streamId: "s", index: "0" }), undefined);
    assert.doesNotThrow(() => deliverStreamEvents(broker, "nobody", [{ type: "reset" }]));
  });
});
