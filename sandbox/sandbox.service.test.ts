import assert from "node:assert/strict";
import { ServiceBroker } from "moleculer";
import { isPlatformError } from "../core/sdk/platform-error.ts";
import { createSandbox } from "./sandbox-supervisor.ts";
import { createSandboxClient, createSandboxService, SandboxMetric } from "./sandbox.service.ts";
import { runTenantCode, runTenantPredicate } from "./tenant-code.ts";

describe("the sandbox service", function () {
  this.timeout(20_000);
  let broker: ServiceBroker;

  before(async () => {
    broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [] } });
    broker.createService(createSandboxService(createSandbox({ workers: 1 })));
    await broker.start();
  });
  after(async () => { await broker.stop(); });

  it("runs tenant code for any caller on the broker and counts it per tenant", async () => {
    const result = await broker.call("sandbox.run", { tenantId: "acme", source: "export default (input, ctx) => { ctx.log('hi'); return { output: { hi: input.name }, next: 'default' }; }", input: { name: "Ada" } });
    assert.deepEqual(result, { output: { hi: "Ada" }, next: "default", logs: ["hi"] });
    await assert.rejects(broker.call("sandbox.run", { tenantId: "acme", source: "export default () => { for (;;) {} }" }), (e: unknown) => isPlatformError(e) && e.code === "SANDBOX_CPU_LIMIT");
    const runs = broker.metrics.getMetric(SandboxMetric.runs)!;
    assert.equal(runs.get({ tenant: "acme", outcome: "ok" })?.value, 1);
    assert.equal(runs.get({ tenant: "acme", outcome: "SANDBOX_CPU_LIMIT" })?.value, 1);
    assert.ok(Number(broker.metrics.getMetric(SandboxMetric.cpuSeconds)!.get({ tenant: "acme" })?.value) > 0.04);
    assert.ok(Number(broker.metrics.getMetric(SandboxMetric.heapBytes)!.get({ tenant: "acme" })?.value) > 0);
  });

  it("drops secret values sent through the broker", async () => {
    const result = (await broker.call("sandbox.execute", { tenantId: "acme", source: "export default () => 1", secrets: { token: "x" } })) as { value: unknown };
    assert.equal(result.value, 1);
  });

  it("execute runs any export, and a client gives other nodes the same Sandbox.run", async () => {
    const client = createSandboxClient((action, params) => broker.call(action, params));
    assert.equal(await runTenantPredicate(client, { tenantId: "acme", source: "export function check(i) { return i > 1; }", entry: "check", input: 2 }), true);
    const result = await runTenantCode(client, "acme", { source: "export default (i) => ({ output: { n: i.n + 1 } })", input: { n: 1 } });
    assert.deepEqual(result, { output: { n: 2 }, logs: [] });
  });

  it("run answers a result of the wrong shape with SANDBOX_BAD_RESULT", async () => {
    await assert.rejects(broker.call("sandbox.run", { tenantId: "acme", source: "export default () => 42" }), (e: unknown) => isPlatformError(e) && e.code === "SANDBOX_BAD_RESULT");
  });

  it("refuses malformed requests with a validation error", async () => {
    await assert.rejects(broker.call("sandbox.run", { tenantId: "", source: 1 }), (e: { code?: unknown }) => e.code === 422);
  });
});
