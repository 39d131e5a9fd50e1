import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { packPlugin } from "../../marketplace/package/plugin-build.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { createIntegrator } from "./marketplace-kit.ts";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "../../marketplace/cli/bp-plugin.ts");
const failing = join(import.meta.dirname, "fixtures/failing-crm");
/** The line of plugin.ts that throws (marked BOOM). */
const boomLine = readFileSync(join(failing, "plugin.ts"), "utf8").split("\n").findIndex((l) => l.includes("// BOOM")) + 1;

describe("integrators see what went wrong: a failing handler's message, source line and logs", function () {
  this.timeout(120_000);

  it("bp-plugin test prints the handler's own message, its line in plugin.ts and what it logged", async () => {
    const work = mkdtempSync(join(tmpdir(), "bp-fail-"));
    try {
      writeFileSync(join(work, "boom.json"), JSON.stringify({ params: { email: "boom@example.com" }, config: { base_url: "https://crm.example.com" } }));
      await assert.rejects(
        run(process.execPath, [cli, "test", failing, "--crm", "searchContacts", "--input", join(work, "boom.json")], { cwd: work, env: { ...process.env, NODE_NO_WARNINGS: "1" } }),
        (error: { code: number; stderr: string }) => {
          assert.equal(error.code, 1);
          assert.match(error.stderr, /TypeError: Cannot read properties of undefined \(reading 'name'\)/);
          assert.match(error.stderr, new RegExp(`at plugin\\.ts:${boomLine}:\\d+`));
          assert.match(error.stderr, /log: searching \{"email":"boom@example.com"\}/);
          assert.doesNotMatch(error.stderr, /\n\s+at /);
          return true;
        },
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  describe("on the platform, installed by a tenant", () => {
    let node: TestPlatform;
    let tenant: { keys: { admin: string } };

    before(async () => {
      node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { MARKETPLACE_EXAMPLES: "false", ALLOW_PRIVATE_NETWORKS: "true" } });
      const integrator = await createIntegrator(node, "Labs Failing");
      const published = await integrator.publish((await packPlugin(failing)).bytes);
      assert.equal(published.status, 201, published.text);
      tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Fails" } })).body;
    });
    after(() => node?.cleanup());

    const install = (body: object) => node.request("POST", "/v1/admin/plugins", { key: tenant.keys.admin, body: { plugin: "@labs/failing-crm", config: { base_url: "http://127.0.0.1:9" }, ...body } });

    it("refuses grants with the exact mistake: a port that is not a number, a secret name outside a-z0-9_", async () => {
      const port = await install({ grants: ["http:127.0.0.1:abc"] });
      assert.equal(port.status, 400, port.text);
      assert.match(port.body.error.message, /the port "abc" is not a number/);
      const secret = await install({ grants: ["secrets:Api-Token"] });
      assert.equal(secret.status, 400, secret.text);
      assert.match(secret.body.error.message, /the secret name "Api-Token" must start with a lowercase letter/);
    });

    it("refuses an install that gives a secret's value without its secrets: grant, naming the capability to add", async () => {
      const refused = await install({ grants: ["http:127.0.0.1"], secrets: { api_token: "t-123" } });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.error.code, "SECRET_NOT_GRANTED");
      assert.match(refused.body.error.message, /add "secrets:api_token" to grants/);
      assert.ok(!refused.text.includes("t-123"));
    });

    it("shows the tenant SANDBOX_CAPABILITY_DENIED with its reason, and the handler's own message and line, not a generic failure", async () => {
      const installed = await install({ grants: ["http:127.0.0.1", "secrets:api_token"] });
      assert.equal(installed.status, 201, installed.text);
      const crm = await node.request("PUT", "/v1/admin/crm", { key: tenant.keys.admin, body: { connector: "marketplace", config: { plugin: "@labs/failing-crm" } } });
      assert.equal(crm.status, 200, crm.text);

      const unset = await node.request("GET", "/v1/admin/crm/search?email=ada@example.com", { key: tenant.keys.admin });
      assert.equal(unset.body.error.code, "CRM_CONFIG_INVALID", unset.text);
      assert.match(unset.body.error.message, /SANDBOX_CAPABILITY_DENIED: The secret "api_token" is not set/);

      const boom = await node.request("GET", "/v1/admin/crm/search?email=boom@example.com", { key: tenant.keys.admin });
      assert.equal(boom.status, 503, boom.text);
      assert.equal(boom.body.error.code, "CRM_UNAVAILABLE");
      assert.match(boom.body.error.message, /TypeError: Cannot read properties of undefined \(reading 'name'\)/);
      assert.match(boom.body.error.message, new RegExp(`at plugin\\.ts:${boomLine}:\\d+`));
      assert.doesNotMatch(boom.text, /\n\s+at /);
    });
  });
});
