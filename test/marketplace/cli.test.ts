import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "../../marketplace/cli/bp-plugin.ts");

describe("an integrator with the bp-plugin CLI: init, test, pack, sign, publish; a tenant uses the plugin", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let work: string;
  const bp = (...args: string[]) => run(process.execPath, [cli, ...args], { cwd: work, env: { ...process.env, NODE_NO_WARNINGS: "1" } });

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { MARKETPLACE_EXAMPLES: "false" } });
    work = mkdtempSync(join(tmpdir(), "bp-cli-"));
  });
  after(async () => {
    await node?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("goes from an empty folder to a flow answering through the plugin, then upgrades and rolls back under a running conversation", async () => {
    await bp("init", "hello", "--id", "@acme/hello");
    const tested = await bp("test", "hello", "--type", "hello", "--input", "hello/test-input.json");
    assert.match(tested.stdout, /Hi, Ada!/);
    const packed = await bp("pack", "hello", "--out", "hello.tgz");
    assert.match(packed.stdout, /sha512-/);
    await bp("keygen");
    await bp("sign", "hello.tgz", "--key", "signing.key");

    const publisher = await node.request("POST", "/v1/admin/publishers", { key: node.operatorKey, body: { name: "Acme CLI" } });
    const key = await node.request("POST", "/v1/marketplace/publishers/keys", { key: publisher.body.key, body: { publicKey: readFileSync(join(work, "signing.pub"), "utf8") } });
    assert.equal(key.status, 201, key.text);
    const published = await bp("publish", "hello.tgz", "--url", node.url, "--api-key", publisher.body.key);
    assert.match(published.stdout, /published @acme\/hello@0\.1\.0/);
    // Publishing the same version again fails with the platform's code, and a non-zero exit.
    await assert.rejects(bp("publish", "hello.tgz", "--url", node.url, "--api-key", publisher.body.key), (error: { stderr: string; code: number }) => error.code === 1 && /409 VERSION_EXISTS/.test(error.stderr));

    const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Shop" } })).body;
    const installed = await node.request("POST", "/v1/admin/plugins", { key: tenant.keys.admin, body: { plugin: "@acme/hello", grants: ["kv"], config: { greeting: "Welcome" } } });
    assert.equal(installed.status, 201, installed.text);
    const flow = { start: "hi", nodes: [{ id: "hi", type: "hello", content: { name: "{{context.channel}} visitor" }, connections: { default: "end" } }, { id: "end", type: "end", content: {} }] };
    const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Hello", flow } });
    assert.equal(bot.status, 201, bot.text);
    const chat = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: bot.body.id } });
    assert.equal(chat.status, 201, chat.text);
    assert.deepEqual(chat.body.messages.map((m: { text: string }) => m.text), ["Welcome, web visitor!"]);

    // Upgraded and rolled back while a conversation is running, through the CLI and the HTTP API only.
    const ask = { start: "ask", nodes: [
      { id: "ask", type: "question", content: { question: "Name?", input_type: "text", variable: "user.name" }, connections: { default: "hi" } },
      { id: "hi", type: "hello", content: { name: "{{user.name}}" }, connections: { default: "ask" } },
    ] };
    const looping = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Hello again", flow: ask } });
    assert.equal(looping.status, 201, looping.text);
    const running = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: looping.body.id } });
    const say = async (text: string) => {
      const answered = await node.request("POST", `/v1/chat/sessions/${running.body.sessionId}/messages`, { key: tenant.keys.widget, body: { text } });
      assert.equal(answered.status, 200, answered.text);
      return answered.body.messages.map((m: { text: string }) => m.text);
    };
    assert.deepEqual(await say("Ada"), ["Welcome, Ada!", "Name?"]);
    // One file holds the definition and the handlers: the version and the greeting change there.
    writeFileSync(join(work, "hello", "plugin.ts"), readFileSync(join(work, "hello", "plugin.ts"), "utf8").replace('version: "0.1.0"', 'version: "0.2.0"').replace("content.name}!", "content.name}, again!"));
    await bp("pack", "hello", "--out", "hello-2.tgz");
    await bp("sign", "hello-2.tgz", "--key", "signing.key");
    assert.match((await bp("publish", "hello-2.tgz", "--url", node.url, "--api-key", publisher.body.key)).stdout, /published @acme\/hello@0\.2\.0/);
    const patch = (body: object) => node.request("PATCH", "/v1/admin/plugins/@acme/hello", { key: tenant.keys.admin, body });
    assert.equal((await patch({ version: "0.2.0" })).body.version, "0.2.0");
    assert.deepEqual(await say("Bob"), ["Welcome, Bob, again!", "Name?"]);
    assert.equal((await patch({ version: "0.1.0" })).body.version, "0.1.0");
    assert.deepEqual(await say("Cy"), ["Welcome, Cy!", "Name?"]);
  });

  it("tells the integrator what is wrong, in one line, when the manifest is invalid", async () => {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(work, "broken"), { recursive: true });
    writeFileSync(join(work, "broken", "plugin.ts"), `import { definePlugin, implementPlugin } from "bp-plugin/sdk";\nexport default implementPlugin(definePlugin({ id: "acme-no-scope", version: "1.0.0", platform: "^1.0.0", kinds: ["node-type"] }), {});\n`);
    await assert.rejects(bp("validate", "broken"), (error: { stderr: string }) => /manifest\.json: id: a scoped name/.test(error.stderr) && !/\n\s+at /.test(error.stderr));
  });
});
