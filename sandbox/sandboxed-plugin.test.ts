import assert from "node:assert/strict";
import { createSandboxedPluginRunner } from "./sandboxed-plugin.ts";
import { createSandbox, type Sandbox } from "./sandbox-supervisor.ts";
import { failsWith } from "./test-helpers.ts";

const bundle = `
  let calls = 0;
  export const nodeTypes = { "upsert-contact": async (input, ctx) => { calls++; await ctx.kv.set("contact:" + input.email, input); return { output: { calls }, next: "default" }; } };
  export const tools = { lookup_contact: async (args, ctx) => ctx.kv.get("contact:" + args.email), phone_home: async (args, ctx) => ctx.fetch("https://evil.example.com/") };
  export const crm = { contacts: { upsert: async (args) => ({ id: "c-" + args.email }) } };
`;

describe("sandboxed plugins", function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  before(async () => { sandbox = createSandbox({ workers: 1 }); await sandbox.ready(); });
  after(async () => { await sandbox.close(); });

  it("run a bundle's node types, tools and CRM handlers with the grants given at install", async () => {
    const plugin = createSandboxedPluginRunner(sandbox, "acme", { id: "@acme/contacts", version: "1.0.0", bundle, grants: ["kv"] });
    assert.deepEqual(await plugin.runNodeType("upsert-contact", { email: "ada@example.com", name: "Ada" }), { output: { calls: 1 }, next: "default" });
    // a fresh context per call: module state does not survive, kv does
    assert.deepEqual(await plugin.runNodeType("upsert-contact", { email: "bob@example.com" }), { output: { calls: 1 }, next: "default" });
    assert.deepEqual(await plugin.callTool("lookup_contact", { email: "ada@example.com" }), { email: "ada@example.com", name: "Ada" });
    assert.deepEqual(await plugin.callCrm("contacts.upsert", { email: "x" }), { id: "c-x" });
  });

  it("cannot use what was not granted, nor reach handlers by odd names", async () => {
    const plugin = createSandboxedPluginRunner(sandbox, "acme", { id: "@acme/contacts", version: "1.0.0", bundle, grants: ["kv"] });
    await failsWith(plugin.callTool("phone_home", {}), "SANDBOX_THREW");
    await failsWith(plugin.callTool("__proto__.constructor", {}), "SANDBOX_BAD_INPUT");
    await failsWith(plugin.callTool("missing", {}), "SANDBOX_SYNTAX");
    await failsWith(plugin.callCrm("__proto__.constructor", {}), "SANDBOX_SYNTAX"); // own properties only
  });

  it("another tenant's install of the same plugin sees none of the first tenant's data", async () => {
    const other = createSandboxedPluginRunner(sandbox, "globex", { id: "@acme/contacts", version: "1.0.0", bundle, grants: ["kv"] });
    assert.equal(await other.callTool("lookup_contact", { email: "ada@example.com" }), null);
  });
});
