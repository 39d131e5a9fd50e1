import assert from "node:assert/strict";
import { isPlatformError } from "../../core/sdk/platform-error.ts";
import { runNode } from "../../core/testing/flow-kit.ts";
import { createSandbox, runTenantCode, type Sandbox } from "../../sandbox/index.ts";
import codeNodePlugin from "./index.ts";

describe("the code node", function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  before(async () => { sandbox = createSandbox({ workers: 1 }); await sandbox.ready(); });
  after(async () => { await sandbox.close(); });

  const run = (content: Record<string, unknown>, connections: Record<string, string> = { default: "next", error: "oops" }, vars: Record<string, Record<string, unknown>> = { user: { name: "Ada", age: 36 } }) =>
    runNode(codeNodePlugin, "code", {
      content,
      connections,
      vars,
      tenantId: "acme",
      runCode: (request) => runTenantCode(sandbox, "acme", request),
    });

  it("builds input from templates, writes the declared outputs and follows default", async () => {
    const { result, vars, logs } = await run({
      source: "export default async function (input, ctx) { ctx.log('greeting', input.name); return { output: { greeting: 'Hello ' + input.name, next_year: input.age + 1, ignored: true } }; }",
      inputs: { name: "{{user.name}}", age: "{{user.age}}", label: "Dear {{user.name}}" },
      outputs: { greeting: "user.greeting", next_year: "session.age_next_year" },
    });
    assert.deepEqual(result, { next: "default" });
    assert.equal(vars.user.greeting, "Hello Ada");
    assert.equal(vars.session.age_next_year, 37);
    assert.equal((vars.user as Record<string, unknown>).ignored, undefined);
    assert.ok(logs.some((l) => l.message === "code says: greeting Ada"));
  });

  it("follows the connection the code chooses", async () => {
    const { result } = await run({ source: "export default (input) => ({ next: input.age > 30 ? 'senior' : 'default' })", inputs: { age: "{{user.age}}" } }, { default: "a", senior: "b", error: "c" });
    assert.deepEqual(result, { next: "senior" });
  });

  it("a connection the node does not have takes the error path", async () => {
    const { result, logs } = await run({ source: "export default () => ({ next: 'nowhere' })" });
    assert.deepEqual(result, { next: "error" });
    assert.match(logs.find((l) => l.level === "warn")!.message, /SANDBOX_BAD_RESULT.*nowhere/);
  });

  it("a throw, a limit or a wrong shape takes the error path with a readable reason", async () => {
    const cases: [string, string][] = [
      ["export default () => { throw new Error('card declined'); }", "SANDBOX_THREW"],
      ["export default () => { for (;;) {} }", "SANDBOX_CPU_LIMIT"],
      ["export default () => ({ output: 'not an object' })", "SANDBOX_BAD_RESULT"],
      ["export default () => this.constructor.constructor('return process')().exit(1)", "SANDBOX_THREW"],
    ];
    for (const [source, code] of cases) {
      const { result, logs } = await run({ source });
      assert.deepEqual(result, { next: "error" });
      const warning = logs.find((l) => l.level === "warn")!;
      assert.equal(warning.data?.code, code);
      assert.ok(!/\/work\/|node:internal/.test(warning.message));
    }
  });

  it("without an error connection the failure is thrown to the runtime", async () => {
    await assert.rejects(run({ source: "export default () => { throw new Error('boom'); }" }, { default: "next" }), (e: unknown) => isPlatformError(e) && e.code === "SANDBOX_THREW");
  });

  it("grants reach the code and nothing else does", async () => {
    const { vars } = await run({ source: "export default async (i, ctx) => { await ctx.kv.set('seen', 1); return { output: { keys: Object.keys(ctx) } }; }", outputs: { keys: "temp.keys" }, grants: ["kv"] });
    assert.deepEqual(vars.temp.keys, ["log", "kv"]);
  });

  it("flags a source without a default export when the flow is validated", () => {
    const validate = codeNodePlugin.implementation.nodeTypes!.code.validate!;
    assert.deepEqual(validate({ source: "export const x = 1", inputs: {}, outputs: {}, grants: [] }, { id: "n1", connections: { default: "x" } }).length, 1);
    assert.deepEqual(validate({ source: "export default () => 1", inputs: {}, outputs: {}, grants: [] }, { id: "n1", connections: { default: "x" } }), []);
  });
});
