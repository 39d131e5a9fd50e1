import assert from "node:assert/strict";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { createTestDatabase, testServices, uniqueName } from "../kit/test-services.ts";
import { httpRequest, startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

describe("conversations across two nodes", function () {
  this.timeout(90_000);
  let a: TestPlatform;
  let b: TestPlatform;
  let database: { url: string; drop(): Promise<void> };
  let widget: string;
  let botId: string;
  let namespace: string;

  before(async function () {
    if (!testServices.natsUrl || !testServices.postgresUrl) return this.skip();
    database = await createTestDatabase();
    namespace = uniqueName("conv");
    const shared = { databaseUrl: database.url, transporter: testServices.natsUrl, namespace, redis: true, pluginFolders: ["plugins"], env: { REDIS_PREFIX: `${namespace}:` } };
    a = await startTestPlatform({ ...shared, env: { ...shared.env, NODE_ID: `${namespace}-a` } });
    b = await startTestPlatform({ ...shared, env: { ...shared.env, NODE_ID: `${namespace}-b` } });
    const tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Twin", tier: "paid" } })).body;
    await a.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
    widget = tenant.keys.widget;
    botId = (await a.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "B", flow: exampleFlow } })).body.id;
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it("applies messages racing on one session through both nodes, each once and in a consistent order", async () => {
    const id = (await a.request("POST", "/v1/chat/sessions", { key: widget, body: { botId } })).body.sessionId;
    const answers = await Promise.all([
      a.request("POST", `/v1/chat/sessions/${id}/messages`, { key: widget, body: { text: "Ada" } }),
      b.request("POST", `/v1/chat/sessions/${id}/messages`, { key: widget, body: { text: "Bob" } }),
    ]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200]);
    const history = (await b.request("GET", `/v1/chat/sessions/${id}/history`, { key: widget })).body.messages;
    const inbound = history.filter((m: { direction: string }) => m.direction === "inbound").map((m: { message: { text: string } }) => m.message.text);
    assert.deepEqual([...inbound].sort(), ["Ada", "Bob"], "both applied, neither twice");
    assert.equal((await a.request("GET", `/v1/chat/sessions/${id}`, { key: widget })).body.revision, 3);
  });

  it("resumes a conversation on node B after node C is killed mid-conversation", async () => {
    // Node C is a separate process, so it can die the hard way (SIGKILL), with no chance to drain.
    const port = await freePort();
    const c = spawn(process.execPath, [join(import.meta.dirname, "../../core/server/start.ts")], {
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: database.url, TRANSPORTER: testServices.natsUrl!, NAMESPACE: namespace, NODE_ID: `${namespace}-c`, PLATFORM_ADMIN_KEY: a.operatorKey, LOG_LEVEL: "error", DEMO: "false", DATA_DIR: mkdtempSync(join(tmpdir(), "bp-node-c-")) },
      stdio: "ignore",
    });
    try {
      const cUrl = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100 && !(await fetch(`${cUrl}/ready`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
      const id = (await httpRequest(cUrl, "POST", "/v1/chat/sessions", { key: widget, body: { botId } })).body.sessionId;
      assert.equal((await httpRequest(cUrl, "POST", `/v1/chat/sessions/${id}/messages`, { key: widget, body: { text: "Ada" } })).body.messages[0].text, "How old are you, Ada?");
      c.kill("SIGKILL");
      const next = await b.request("POST", `/v1/chat/sessions/${id}/messages`, { key: widget, body: { text: "40" } });
      assert.equal(next.status, 200);
      assert.deepEqual(next.body.messages, [{ type: "text", text: "Welcome aboard, Ada." }]);
    } finally {
      c.kill("SIGKILL");
    }
  });
});
