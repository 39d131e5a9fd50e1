import assert from "node:assert/strict";
import { hostname, networkInterfaces, userInfo } from "node:os";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

/**
 * Issue: `/metrics` was open to anyone and listed every tenant id with its sandbox run outcomes,
 * beside the host's name, user, home folder, addresses and the process's arguments.
 */
describe("/metrics is for the operator, and says nothing about the host", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let tenantKey: string;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: [] });
    const tenant = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } });
    tenantKey = tenant.body.keys.admin;
  });
  after(async () => node?.cleanup());

  it("answers 401 without a key and 403 to a tenant's key, in the documented error shape", async () => {
    const anonymous = await node.request("GET", "/metrics");
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code, "MISSING_KEY");
    const tenant = await node.request("GET", "/metrics", { key: tenantKey });
    assert.equal(tenant.status, 403);
    assert.equal(typeof tenant.body.error.message, "string");
  });

  it("serves the operator Prometheus text without hostname, user, home folder, addresses or process arguments", async () => {
    const metrics = await node.request("GET", "/metrics", { key: node.operatorKey });
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /process_memory_rss/, "process health figures stay");
    for (const name of ["os_hostname", "os_user_", "os_network_", "process_arguments", "process_pid", "process_ppid", "os_release"]) {
      assert.ok(!metrics.text.includes(name), `${name} is not exposed`);
    }
    const { username, homedir } = userInfo();
    const addresses = Object.values(networkInterfaces()).flat().filter((i) => i && !i.internal).flatMap((i) => [i!.address, i!.mac]);
    for (const secret of [`"${hostname()}"`, `"${username}"`, `"${homedir}"`, process.argv[1]!, ...addresses.map((a) => `"${a}"`)]) {
      assert.ok(!metrics.text.includes(secret), `the metrics do not show ${secret}`);
    }
    assert.ok(!metrics.text.includes(`node_id="${hostname()}-`) && !metrics.text.includes(`nodeID="${hostname()}-`), "the default node id does not carry the host name");
  });
});
