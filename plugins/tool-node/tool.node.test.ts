import assert from "node:assert/strict";
import { PlatformError } from "../../core/sdk/index.ts";
import { runNode } from "../../core/testing/plugin-kit.ts";
import toolPlugin from "./index.ts";

describe("the tool node", () => {
  const connections = { default: "next", error: "oops" };

  it("calls ai.callTool with rendered arguments that keep their types, the turn's idempotency key, and stores the structured answer", async () => {
    const calls: { action: string; params: Record<string, unknown> }[] = [];
    const { result, vars } = await runNode(toolPlugin, "tool", {
      content: { tool: "mcp:pricing/quote", arguments: { items: [{ item: "{{user.item}}", quantity: "{{user.count}}" }], note: "for {{user.name}}" }, output: "user.quote" },
      connections,
      vars: { user: { item: "Haircut", count: 2, name: "Ada" } },
      tenantId: "tenant-a",
      idempotencyKey: "s:n:4",
      call: async (action, params) => { calls.push({ action, params }); return { ok: true, text: "Total: 60.00 EUR", structured: { total: 60 } }; },
    });
    assert.equal(result.next, "default");
    assert.deepEqual((vars.user as Record<string, unknown>).quote, { total: 60 });
    assert.equal(calls[0]!.action, "ai.callTool");
    assert.deepEqual(calls[0]!.params.arguments, { items: [{ item: "Haircut", quantity: 2 }], note: "for Ada" });
    assert.equal(calls[0]!.params.idempotencyKey, "s:n:4");
    assert.equal(calls[0]!.params.tool, "mcp:pricing/quote");
    assert.equal(calls[0]!.params.tenantId, "tenant-a");
  });

  it("follows error with the tool's reason when the tool fails, or when the platform refuses the call", async () => {
    const failed = await runNode(toolPlugin, "tool", {
      content: { tool: "mcp:calc/get-sum", arguments: {}, output: "user.sum" },
      connections,
      call: async () => ({ ok: false, text: "a: expected number" }),
    });
    assert.equal(failed.result.next, "error");
    assert.equal((failed.vars.session as Record<string, unknown>).tool_error, "a: expected number");
    assert.equal((failed.vars.user as Record<string, unknown> | undefined)?.sum, undefined);

    const refused = await runNode(toolPlugin, "tool", {
      content: { tool: "mcp:calc/get-sum", arguments: {}, error_variable: "user.why" },
      connections,
      call: async () => { throw new PlatformError("TOOL_NAME_INVALID", "not a tool", { status: 400 }); },
    });
    assert.equal(refused.result.next, "error");
    assert.equal((refused.vars.user as Record<string, unknown>).why, "TOOL_NAME_INVALID: not a tool");
  });
});
