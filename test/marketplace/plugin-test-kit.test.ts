import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createTestBroker, fakeSecrets } from "../../core/testing/plugin-kit.ts";
import { definePlugin, implementPlugin, z } from "../../core/sdk/index.ts";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "../../marketplace/cli/bp-plugin.ts");

/** An SDK plugin with one action that needs its configuration and a secret. */
const definition = definePlugin({
  id: "@acme/orders",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["tool"],
  config: z.object({ shop: z.string() }),
  secrets: [{ name: "orders_key" }],
  actions: { status: { description: "Status of an order", params: z.object({ orderId: z.string().min(1) }) } },
});
const orders = implementPlugin(definition, {
  actions: {
    status: (params, ctx) => ({ order: params.orderId, shop: (ctx.config as { shop: string }).shop, tenant: ctx.tenantId, signed: ctx.secrets.orders_key === "k-123" }),
  },
});

describe("the plugin test kit: createTestBroker and fakeSecrets", function () {
  this.timeout(60_000);

  it("loads an SDK plugin into a local broker and calls its action with the tenant, configuration and fake secrets", async () => {
    const secrets = fakeSecrets({ orders_key: "k-123", unused: "x" });
    const kit = await createTestBroker({ plugins: [orders], config: { shop: "Acme" }, secrets, tenantId: "t-1" });
    try {
      assert.deepEqual(await kit.call("plugin.acme.orders.status", { orderId: "A-1" }), { order: "A-1", shop: "Acme", tenant: "t-1", signed: true });
      assert.deepEqual(secrets.read, ["orders_key"]);
      await assert.rejects(kit.call("plugin.acme.orders.status", { orderId: "" }), (e: { code: string; message: string }) => e.code === "VALIDATION_FAILED" && /orderId/.test(e.message));
    } finally {
      await kit.stop();
    }
  });

  it("refuses a plugin that fails the platform's load checklist, with its coded error", async () => {
    await assert.rejects(createTestBroker({ plugins: [{ definition: { ...definition, version: "one" }, implementation: {} }] }), (e: { code: string }) => /^PLUGIN_/.test(e.code));
  });

  it("is what the scaffold's generated tests use: bp-plugin init, then bp-plugin test runs them", async () => {
    const work = mkdtempSync(join(tmpdir(), "bp-kit-"));
    try {
      const bp = (...args: string[]) => run(process.execPath, [cli, ...args], { cwd: work, env: { ...process.env, NODE_NO_WARNINGS: "1" } });
      await bp("init", "greeter", "--id", "@acme/greeter");
      const tested = await bp("test", "greeter");
      assert.match(tested.stdout, /✔ hello greets with the tenant's greeting/);
      assert.match(tested.stdout, /pass 2/);
      const hours = join(import.meta.dirname, "../../marketplace/examples/business-hours");
      // The configuration is checked against the manifest's schema, as at install.
      await assert.rejects(bp("test", hours, "--tool", "opening_hours", "--input", join(work, "greeter", "test-input.json")), (e: { stderr: string }) => /bp-plugin: config\.(greeting|hours)/.test(e.stderr));
      writeFileSync(join(work, "hours.json"), JSON.stringify({ args: { at: "2026-11-21T12:00:00Z" }, config: { hours: { sat: "10:00-13:00" } } }));
      const tool = await bp("test", hours, "--tool", "opening_hours", "--input", join(work, "hours.json"));
      assert.match(tool.stdout, /Open now, until 13:00 today \(Saturday\)/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
