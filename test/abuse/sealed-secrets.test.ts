import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

/** How a value was sealed before secrets were bound to their tenant (format v1, no associated data). */
function sealUnbound(masterKey: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(":");
}

describe("sealed secrets are bound to their tenant and name (issue 14, item 4)", function () {
  this.timeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), "bp-sealed-"));
  let node: TestPlatform;
  let acme: Tenant;
  let globex: Tenant;
  const seen: string[] = [];
  let receiver: http.Server;
  let port = 0;

  before(async () => {
    receiver = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    port = (receiver.address() as { port: number }).port;
    node = await startTestPlatform({ dataDir, env: { ALLOW_PRIVATE_NETWORKS: "true" } });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } })).body;
    globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
  });
  after(async () => {
    await node?.cleanup();
    receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const sql = () => node.platform.context.db.orm.em.fork().getConnection();
  const flow = () => ({ start: "call", nodes: [
    { id: "call", type: "webhook", content: { url: `http://127.0.0.1:${port}/hook`, headers: { Authorization: "Bearer {{secret:crm_token}}" }, body: {} }, connections: { success: "ok", error: "failed" } },
    { id: "ok", type: "message", content: { messages: [{ type: "text", text: "sent" }] }, connections: { default: "end" } },
    { id: "failed", type: "message", content: { messages: [{ type: "text", text: "not sent" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ] });
  async function runFlow(tenant: Tenant): Promise<{ status: number; text: string }> {
    const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Hook", flow: flow() } });
    assert.equal(bot.status, 201, bot.text);
    const started = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: bot.body.id } });
    return { status: started.status, text: started.text };
  }

  it("does not open a value copied from another tenant's row: the other tenant's token never leaves", async () => {
    assert.equal((await node.request("PUT", "/v1/admin/secrets/crm_token", { key: acme.keys.admin, body: { value: "acme-token-1", allowedHosts: ["127.0.0.1"] } })).status, 200);
    assert.equal((await node.request("PUT", "/v1/admin/secrets/crm_token", { key: globex.keys.admin, body: { value: "globex-token", allowedHosts: ["127.0.0.1"] } })).status, 200);
    const own = await runFlow(acme);
    assert.match(own.text, /sent/);
    assert.deepEqual(seen, ["Bearer acme-token-1"]);

    // Someone with write access to the table copies Acme's sealed value over Globex's.
    await sql().execute(`update tenant_secret set sealed = (select sealed from tenant_secret where tenant_id = ? and name = 'crm_token') where tenant_id = ? and name = 'crm_token'`, [acme.id, globex.id], "run");
    const crossed = await runFlow(globex);
    assert.ok(crossed.status < 500 || !crossed.text.includes("acme-token"), crossed.text);
    assert.doesNotMatch(crossed.text, /acme-token|\n\s+at /);
    assert.deepEqual(seen, ["Bearer acme-token-1"], "Acme's token was not sent for Globex");

    // Nor under another name of the same tenant.
    await node.request("PUT", "/v1/admin/secrets/other_token", { key: acme.keys.admin, body: { value: "placeholder", allowedHosts: ["127.0.0.1"] } });
    await sql().execute(`update tenant_secret set sealed = (select sealed from tenant_secret where tenant_id = ? and name = 'other_token') where tenant_id = ? and name = 'crm_token'`, [acme.id, acme.id], "run");
    await runFlow(acme);
    assert.deepEqual(seen, ["Bearer acme-token-1"]);
  });

  it("re-seals values stored before the binding at the next start, bound to their own row, and they keep working", async () => {
    const masterKey = Buffer.from(readFileSync(join(dataDir, "secrets.key"), "utf8").trim(), "base64");
    await sql().execute(`update tenant_secret set sealed = ? where tenant_id = ? and name = 'crm_token'`, [sealUnbound(masterKey, "acme-legacy-token"), acme.id], "run");
    await node.stop();
    node = await startTestPlatform({ dataDir, env: { ALLOW_PRIVATE_NETWORKS: "true" } });
    const [row] = await sql().execute<{ sealed: string }[]>(`select sealed from tenant_secret where tenant_id = ? and name = 'crm_token'`, [acme.id]);
    assert.match(row!.sealed, /^v2:/);
    seen.length = 0;
    assert.match((await runFlow(acme)).text, /sent/);
    assert.deepEqual(seen, ["Bearer acme-legacy-token"]);
  });
});
