import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "../../marketplace/cli/bp-plugin.ts");

describe("an integrator writes a channel from the CLI's template and an operator loads it", function () {
  this.timeout(120_000);
  let work: string;
  let node: TestPlatform | undefined;
  let vendor: Server;
  const sent: { path: string; auth: string | undefined; body: { to: string; text: string } }[] = [];
  const bp = (...args: string[]) => run(process.execPath, [cli, ...args], { cwd: work, env: { ...process.env, NODE_NO_WARNINGS: "1" } });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "bp-channel-"));
    vendor = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        sent.push({ path: req.url ?? "", auth: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: `out-${sent.length}` }));
      });
    });
    await new Promise<void>((resolve) => vendor.listen(0, "127.0.0.1", resolve));
  });
  after(async () => {
    await node?.cleanup();
    vendor?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("scaffolds a channel whose own tests pass, that validates as trusted and is not packed for the marketplace", async () => {
    const created = await bp("init", "acme-chat", "--kind", "channel", "--id", "@acme/acme-chat");
    assert.match(created.stdout, /created a channel plugin/);
    const tested = await bp("test", "acme-chat");
    assert.match(tested.stdout, /pass 4/);
    assert.match(tested.stdout, /fail 0/);
    const validated = await bp("validate", "acme-chat");
    assert.match(validated.stdout, /ok @acme\/acme-chat@0\.1\.0: channel; a trusted plugin/);
    await assert.rejects(bp("pack", "acme-chat"), (e: { stderr: string; code: number }) => e.code === 1 && /trusted and are not packed.*PLUGINS=acme-chat/.test(e.stderr));
  });

  it("carries a conversation: a signed webhook in, the bot's reply out through the vendor's API", async () => {
    const apiUrl = `http://127.0.0.1:${(vendor.address() as { port: number }).port}`;
    node = await startTestPlatform({ env: { PLUGINS: join(work, "acme-chat"), ACME_CHAT_API_URL: apiUrl } });
    const channels = await node.request("GET", "/v1/admin/channels", { key: node.operatorKey });
    const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } })).body;
    const listed = await node.request("GET", "/v1/admin/channels", { key: tenant.keys.admin });
    assert.equal(listed.status, 200, listed.text + channels.text);
    assert.ok(listed.body.channels.some((c: { name: string }) => c.name === "acme-chat"), listed.text);

    const flow = { start: "ask", nodes: [
      { id: "ask", type: "question", content: { question: "What is your name?", input_type: "text", variable: "user.name" }, connections: { default: "bye" } },
      { id: "bye", type: "message", content: { messages: [{ type: "text", text: "Thanks, {{user.name}}!" }] }, connections: { default: "end" } },
      { id: "end", type: "end", content: {} },
    ] };
    const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Chatty", flow } });
    assert.equal(bot.status, 201, bot.text);
    const secret = "signing-secret-1";
    const put = await node.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/acme-chat`, { key: tenant.keys.admin, body: { accountId: "acct-9", apiToken: "token-abcdef", signingSecret: secret } });
    assert.ok(put.status < 300, put.text);
    const shown = await node.request("GET", `/v1/admin/bots/${bot.body.id}/channels/acme-chat`, { key: tenant.keys.admin });
    assert.doesNotMatch(shown.text, /token-abcdef|signing-secret-1/);
    assert.match(shown.text, new RegExp(`/v1/channels/acme-chat/${bot.body.id}/webhook`));

    const post = async (body: object, key = secret) => {
      const raw = JSON.stringify(body);
      const response = await fetch(`${node!.url}/v1/channels/acme-chat/${bot.body.id}/webhook`, {
        method: "POST", body: raw, headers: { "content-type": "application/json", "x-signature": createHmac("sha256", key).update(raw).digest("hex") },
      });
      return { status: response.status, body: await response.json() as { error?: { code?: string } } };
    };
    const forged = await post({ messages: [{ id: "x-1", from: "mallory", text: "hi" }] }, "another-secret");
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error?.code, "SIGNATURE_INVALID");

    assert.equal((await post({ messages: [{ id: "in-1", from: "ada", text: "hello" }] })).status, 200);
    await until(() => sent.length >= 1);
    assert.deepEqual(sent[0], { path: "/accounts/acct-9/messages", auth: "Bearer token-abcdef", body: { to: "ada", text: "What is your name?" } });
    assert.equal((await post({ messages: [{ id: "in-2", from: "ada", text: "Ada" }] })).status, 200);
    // The vendor redelivers a message it already sent: no second turn, no second reply.
    assert.equal((await post({ messages: [{ id: "in-2", from: "ada", text: "Ada" }] })).status, 200);
    await until(() => sent.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(sent.map((s) => s.body.text), ["What is your name?", "Thanks, Ada!"]);
    assert.equal(forged.status, 401);
    assert.ok(!sent.some((s) => s.body.to === "mallory"));
  });
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
