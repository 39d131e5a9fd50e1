import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPlatform } from "../kit/test-platform.ts";

const root = join(import.meta.dirname, "../..");

describe("starting and restarting", function () {
  this.timeout(60_000);

  it("keeps tenants across a restart of the embedded default", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bp-restart-"));
    try {
      const first = await startTestPlatform({ dataDir, pluginFolders: [] });
      const created = (await first.request("POST", "/v1/admin/tenants", { key: first.operatorKey, body: { name: "Durable" } })).body;
      await first.stop();
      const second = await startTestPlatform({ dataDir, pluginFolders: [] });
      const again = await second.request("GET", "/v1/admin/tenant", { key: created.keys.admin });
      assert.equal(again.status, 200);
      assert.equal(again.body.name, "Durable");
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("creates the demo tenant and lead-capture bot on the first embedded start, once", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bp-demo-"));
    try {
      const first = await startTestPlatform({ dataDir, pluginFolders: ["plugins"], env: { DEMO: "true" } });
      const demo = first.platform.demo!;
      assert.match(demo.widgetKey, /^pk_/);
      const key = demo.widgetKey;
      const started = await first.request("POST", "/v1/chat/sessions", { key, body: { botId: demo.botId } });
      const id = started.body.sessionId;
      assert.equal(started.body.messages.at(-1).text, "What's your name?");
      await first.request("POST", `/v1/chat/sessions/${id}/messages`, { key, body: { text: "Ada" } });
      const badEmail = await first.request("POST", `/v1/chat/sessions/${id}/messages`, { key, body: { text: "not-an-email" } });
      assert.match(badEmail.body.messages[0].text, /doesn't look like an email/);
      const interest = await first.request("POST", `/v1/chat/sessions/${id}/messages`, { key, body: { text: "ada@example.com" } });
      assert.deepEqual(interest.body.input.choices.map((c: { label: string }) => c.label), ["Pricing", "A demo", "Support"]);
      const done = await first.request("POST", `/v1/chat/sessions/${id}/messages`, { key, body: { choice: "demo" } });
      assert.deepEqual(done.body.messages.map((m: { text: string }) => m.text), ["Great, Ada! We'll email ada@example.com to book your demo.", "Thanks for stopping by. Goodbye!"]);
      await first.stop();
      const second = await startTestPlatform({ dataDir, pluginFolders: ["plugins"], env: { DEMO: "true" } });
      assert.deepEqual(second.platform.demo, demo, "the same demo, not a second one");
      assert.equal((await second.request("GET", "/v1/admin/tenants", { key: second.operatorKey })).body.tenants.length, 1);
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses to start in production without a database URL, exiting non-zero with a clear message", () => {
    const run = spawnSync(process.execPath, [join(root, "core/server/start.ts")], {
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", REDIS_URL: "redis://127.0.0.1:6379" },
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /DATABASE_URL/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  });

  it("refuses a bad PORT at start, naming it", () => {
    const run = spawnSync(process.execPath, [join(root, "core/server/start.ts")], { env: { PATH: process.env.PATH ?? "", PORT: "http" }, encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /PORT/);
  });
});
