import assert from "node:assert/strict";
import { createSandbox, type Sandbox } from "./sandbox-supervisor.ts";
import { runTenantCode, runTenantPredicate } from "./tenant-code.ts";
import { failsWith } from "./test-helpers.ts";

describe("running tenant code for nodes and hooks", function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  before(async () => { sandbox = createSandbox({ workers: 1 }); await sandbox.ready(); });
  after(async () => { await sandbox.close(); });

  it("returns output, next and the run's log", async () => {
    const result = await runTenantCode(sandbox, "t", { source: "export default async (input, ctx) => { ctx.log('hi'); return { output: { g: 'Hello ' + input.name }, next: 'vip' }; }", input: { name: "Ada" } });
    assert.deepEqual(result, { output: { g: "Hello Ada" }, next: "vip", logs: ["hi"] });
  });

  it("treats nothing returned as no output", async () => {
    assert.deepEqual(await runTenantCode(sandbox, "t", { source: "export default () => {}", input: {} }), { logs: [] });
  });

  it("a result of the wrong shape fails with SANDBOX_BAD_RESULT", async () => {
    for (const value of ["42", "[1]", "({ output: 'text' })", "({ next: 3 })", "({ output: {}, extra: 1 })"]) {
      await failsWith(runTenantCode(sandbox, "t", { source: `export default () => ${value}`, input: {} }), "SANDBOX_BAD_RESULT");
    }
  });

  it("a validator hook must answer true or false", async () => {
    assert.equal(await runTenantPredicate(sandbox, { tenantId: "t", source: "export default (i) => i.length > 2", input: "abc" }), true);
    await failsWith(runTenantPredicate(sandbox, { tenantId: "t", source: "export default () => 'yes'" }), "SANDBOX_BAD_RESULT");
  });
});
