import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { ConfigError, loadConfig } from "../../core/kernel/config/config.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { eventually } from "../kit/eventually.ts";
import { uniqueName } from "../kit/test-services.ts";
import { findProgram, freePort, startChild, type Child } from "./abuse-kit.ts";

/**
 * Issue: a process with no credentials joined the bus, called `tenants.list` and
 * `tenants.rotateKey` for another tenant, and the key worked over HTTP. The cluster's NATS now has
 * credentials, the nodes present them, and production will not start on an open bus.
 */
describe("the NATS bus of a cluster needs the cluster's credentials", function () {
  this.timeout(90_000);
  const user = "bp-cluster";
  const password = "a-long-cluster-password-for-tests";
  let nats: Child | undefined;
  let url: string;
  let storeDir: string;
  let a: TestPlatform | undefined;
  let b: TestPlatform | undefined;

  before(async function () {
    const program = findProgram("nats-server");
    if (!program) return this.skip();
    const port = await freePort();
    storeDir = mkdtempSync(join(tmpdir(), "bp-nats-"));
    nats = await startChild(program, ["-a", "127.0.0.1", "-p", String(port), "--user", user, "--pass", password, "-js", "-sd", storeDir], port);
    url = `nats://127.0.0.1:${port}`;
  });

  after(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await nats?.stop();
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  });

  it("refuses a client that connects without credentials", async () => {
    await assert.rejects(connect({ servers: url, reconnect: false }), (error: Error & { code?: string }) => {
      assert.match(`${error.code} ${error.message}`, /AUTHORIZATION_VIOLATION|Authorization Violation/i);
      return true;
    });
    await assert.rejects(connect({ servers: url, user, pass: "a-guessed-password", reconnect: false }), /AUTHORIZATION_VIOLATION|Authorization Violation/i);
  });

  it("lets two platform nodes holding the credentials call each other", async () => {
    const namespace = uniqueName("natsauth");
    const env = { NATS_USER: user, NATS_PASSWORD: password };
    a = await startTestPlatform({ transporter: url, namespace, pluginFolders: [], env: { ...env, NODE_ID: `${namespace}-a` } });
    b = await startTestPlatform({ transporter: url, namespace, pluginFolders: [], env: { ...env, NODE_ID: `${namespace}-b` } });
    await eventually(() => a!.platform.broker.registry.nodes.toArray().filter((n) => n.available).length, (n) => n >= 2, 15_000);
    const created = await b.request("POST", "/v1/admin/tenants", { key: b.operatorKey, body: { name: "Acme" } });
    assert.equal(created.status, 201, created.text);
    // Each node has its own in-memory database, so the tenant is found only by asking node B.
    const fromA = await a.platform.broker.call<{ id: string; name: string }, { tenantId: string }>("tenants.get", { tenantId: created.body.id }, { nodeID: b.platform.broker.nodeID });
    assert.equal(fromA.name, "Acme");
  });

  it("will not start in production on a bus without credentials, unless told the bus is private", () => {
    const production = {
      NODE_ENV: "production",
      DATABASE_URL: "postgres://bp@db.internal/bp",
      REDIS_URL: "redis://cache.internal:6379",
      PLATFORM_ADMIN_KEY: "op_a_production_key_long_enough",
      SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
      TRANSPORTER: "nats://nats.internal:4222",
    };
    assert.throws(() => loadConfig(production), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /NATS_USER and NATS_PASSWORD.*NATS_TOKEN.*TRANSPORTER_INSECURE=true/s);
      return true;
    });
    assert.equal(loadConfig({ ...production, TRANSPORTER_INSECURE: "true" }).TRANSPORTER_INSECURE, true);
    assert.equal(loadConfig({ ...production, NATS_USER: user, NATS_PASSWORD: password }).NATS_USER, user);
    assert.equal(loadConfig({ ...production, NATS_TOKEN: "a-token-of-sixteen-or-more" }).NATS_TOKEN, "a-token-of-sixteen-or-more");
    assert.throws(() => loadConfig({ ...production, NATS_USER: user }), /NATS_USER and NATS_PASSWORD go together/);
  });
});
