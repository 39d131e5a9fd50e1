import assert from "node:assert/strict";
import { MetricRegistry } from "./metric-registry.ts";
import { snakeCase } from "./prometheus-reporter.ts";

describe("the platform's metric registry", () => {
  it("renders counters, gauges and cumulative histogram buckets with their HELP, TYPE and default labels", async () => {
    const registry = new MetricRegistry();
    const turns = registry.counter("x_turns_total", "Turns\nby channel", ["channel"]);
    const web = turns.labels("web");
    web.inc();
    web.inc(2);
    turns.labels('we"ird').inc();
    registry.histogram("x_seconds", "Time", ["channel"], [0.1, 1]).labels("web").observe(0.5);
    let depth = 0;
    registry.collect(() => { depth = 7; registry.gauge("x_depth", "Depth", ["queue"]).labels("outbox").set(depth); });
    registry.counter("x_unused_total", "Never counted", ["channel"]);
    const text = await registry.render({ node_id: "n1" });
    assert.equal(text, [
      "# HELP x_turns_total Turns\\nby channel", "# TYPE x_turns_total counter",
      'x_turns_total{node_id="n1",channel="web"} 3', 'x_turns_total{node_id="n1",channel="we\\"ird"} 1',
      "# HELP x_seconds Time", "# TYPE x_seconds histogram",
      'x_seconds_bucket{node_id="n1",channel="web",le="0.1"} 0', 'x_seconds_bucket{node_id="n1",channel="web",le="1"} 1',
      'x_seconds_bucket{node_id="n1",channel="web",le="+Inf"} 1', 'x_seconds_sum{node_id="n1",channel="web"} 0.5', 'x_seconds_count{node_id="n1",channel="web"} 1',
      "# HELP x_depth Depth", "# TYPE x_depth gauge", 'x_depth{node_id="n1",queue="outbox"} 7', "",
    ].join("\n"));
  });

  it("gives the same family to a second caller, and refuses one that means another thing by the name", () => {
    const registry = new MetricRegistry();
    assert.equal(registry.counter("x_total", "X", ["a"]), registry.counter("x_total", "X", ["a"]));
    assert.throws(() => registry.gauge("x_total", "X", ["a"]), /already a counter/);
    assert.throws(() => registry.counter("x_total", "X", ["b"]), /already a counter/);
  });

  it("writes Moleculer's camelCase label names in snake_case", () => {
    assert.deepEqual(["nodeID", "heapSpace", "namespace", "le"].map(snakeCase), ["node_id", "heap_space", "namespace", "le"]);
  });
});
