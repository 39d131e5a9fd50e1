import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryKeyValueStore } from "./kv-store.ts";
import { createSandbox, type Sandbox } from "./sandbox-supervisor.ts";
import { failsWith, healthyRun } from "./test-helpers.ts";

const SECRET = "S3cr3t-Value-9f2c";

describe("the host bridge", function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  let local: Sandbox; // may reach loopback servers, for tests that need a real HTTP peer
  let server: http.Server;
  let port = 0;
  const received: { url?: string; authorization?: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      received.push({ url: req.url, authorization: req.headers.authorization });
      if (req.url === "/redirect-private") { res.statusCode = 302; res.setHeader("location", `http://127.0.0.1:${port}/internal`); res.end(); return; }
      if (req.url === "/echo") { res.setHeader("content-type", "application/json"); res.end(JSON.stringify({ authorization: req.headers.authorization, url: req.url })); return; }
      res.end("hello from the tenant's server");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    sandbox = createSandbox({ workers: 1, kv: createMemoryKeyValueStore({ maxKeys: 3 }) });
    local = createSandbox({ workers: 1, fetchPolicy: { allowPrivateNetworks: true }, resolveSecret: (_tenant, name) => (name === "api_key" ? SECRET : undefined) });
    await Promise.all([sandbox.ready(), local.ready()]);
  });
  after(async () => {
    await Promise.all([sandbox.close(), local.close()]);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const fetchCodes = `export default async (input, ctx) => {
    const codes = [];
    for (const url of input.urls) { try { await ctx.fetch(url); codes.push("fetched"); } catch (e) { codes.push(e.code); } }
    return { output: { codes } };
  }`;

  it("fetch to loopback, cloud metadata and private ranges is refused with SSRF_BLOCKED even when granted", async () => {
    const result = await sandbox.run({
      tenantId: "fetcher",
      grants: ["http:127.0.0.1", "http:169.254.169.254", "http:10.0.0.1", "http:192.168.1.10", "http:[::1]", "http:localhost"],
      input: { urls: ["http://127.0.0.1:" + port + "/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.10/", "http://[::1]/", `http://localhost:${port}/`] },
      source: fetchCodes,
    });
    assert.deepEqual(result.value, { output: { codes: Array(6).fill("SSRF_BLOCKED") } });
    assert.equal(received.length, 0);
  });

  it("fetch to a host that was not granted is refused", async () => {
    const result = await sandbox.run({ tenantId: "fetcher", grants: ["http:api.example.com"], input: { urls: ["http://other.example.org/", "file:///etc/passwd"] }, source: fetchCodes });
    assert.deepEqual(result.value, { output: { codes: ["SSRF_BLOCKED", "SSRF_BLOCKED"] } });
  });

  it("an uncaught refused fetch fails the run with SANDBOX_THREW naming SSRF_BLOCKED", async () => {
    const error = await failsWith(sandbox.run({ tenantId: "fetcher", grants: ["http:169.254.169.254"], source: "export default async (i, ctx) => ctx.fetch('http://169.254.169.254/')" }), "SANDBOX_THREW");
    assert.equal(error.data?.code, "SSRF_BLOCKED");
  });

  it("a granted host that redirects to an address that is not granted is refused on the hop", async () => {
    const result = await local.run({ tenantId: "fetcher", grants: ["http:localhost"], input: { urls: [`http://localhost:${port}/redirect-private`] }, source: fetchCodes });
    assert.deepEqual(result.value, { output: { codes: ["SSRF_BLOCKED"] } });
    assert.ok(!received.some((r) => r.url === "/internal"));
  });

  it("fetch reaches a granted host with the secret filled in on the host side, and the code never sees its value", async () => {
    received.length = 0;
    const result = await local.run({
      tenantId: "fetcher",
      grants: ["http:localhost", "secrets:api_key"],
      source: `export default async (input, ctx) => {
        const res = await ctx.fetch("http://localhost:${port}/echo", { headers: { authorization: "Bearer {{secret:api_key}}" } });
        const probes = [typeof ctx.secrets, JSON.stringify(Object.keys(ctx)), typeof process, String(globalThis.api_key)];
        return { output: { status: res.status, echoed: res.json().authorization, probes } };
      }`,
    });
    assert.equal(received[0]?.authorization, `Bearer ${SECRET}`);
    assert.ok(!JSON.stringify(result.value).includes(SECRET), "the secret's value reached tenant code");
    assert.deepEqual(result.value, { output: { status: 200, echoed: "Bearer [secret]", probes: ["undefined", '["log","fetch","crypto"]', "undefined", "undefined"] } });
  });

  it("a secret put in the host name does not come back in the refusal's message", async () => {
    const result = await local.run({
      tenantId: "fetcher",
      grants: ["http:localhost", "secrets:api_key"],
      source: "export default async (i, ctx) => { try { await ctx.fetch('http://{{secret:api_key}}.example.com/'); } catch (e) { return { output: e.code + ': ' + e.message }; } }",
    });
    assert.ok(!JSON.stringify(result.value).toLowerCase().includes(SECRET.toLowerCase()));
    assert.match(JSON.stringify(result.value), /SECRET_IN_URL/, "secrets go in headers and bodies only");
  });

  it("a secret that was not granted is refused with SANDBOX_CAPABILITY_DENIED", async () => {
    const result = await local.run({
      tenantId: "fetcher",
      grants: ["http:localhost"],
      source: `export default async (i, ctx) => { try { await ctx.fetch("http://localhost:${port}/echo", { headers: { authorization: "{{secret:api_key}}" } }); return { output: "sent" }; } catch (e) { return { output: e.code }; } }`,
    });
    assert.deepEqual(result.value, { output: "SANDBOX_CAPABILITY_DENIED" });
  });

  it("hmacSecret signs with a granted secret without revealing it", async () => {
    const result = await local.run({ tenantId: "signer", grants: ["secrets:api_key"], source: "export default async (i, ctx) => ({ output: await ctx.crypto.hmacSecret('sha256', 'api_key', 'payload') })" });
    assert.deepEqual(result.value, { output: createHmac("sha256", SECRET).update("payload").digest("hex") });
  });

  it("crypto gives random values, hashes and HMACs", async () => {
    const result = await sandbox.run({
      tenantId: "crypto",
      grants: ["crypto"],
      source: "export default (i, ctx) => ({ output: { uuid: ctx.crypto.randomUUID(), bytes: ctx.crypto.randomBytes(8), hash: ctx.crypto.hash('sha256', 'abc'), hmac: ctx.crypto.hmac('sha256', 'k', 'abc') } })",
    });
    const out = (result.value as { output: Record<string, string> }).output;
    assert.match(out.uuid!, /^[0-9a-f-]{36}$/);
    assert.match(out.bytes!, /^[0-9a-f]{16}$/);
    assert.equal(out.hash, createHash("sha256").update("abc").digest("hex"));
    assert.equal(out.hmac, createHmac("sha256", "k").update("abc").digest("hex"));
  });

  it("kv keeps values per tenant and enforces the tenant's quota", async () => {
    const write = "export default async (input, ctx) => { for (const k of input.keys) { try { await ctx.kv.set(k, { v: k }); } catch (e) { return { output: e.code }; } } return { output: await ctx.kv.list('') }; }";
    assert.deepEqual((await sandbox.run({ tenantId: "kv-a", grants: ["kv"], input: { keys: ["a", "b", "c"] }, source: write })).value, { output: ["a", "b", "c"] });
    assert.deepEqual((await sandbox.run({ tenantId: "kv-a", grants: ["kv"], input: { keys: ["d"] }, source: write })).value, { output: "KV_QUOTA_EXCEEDED" });
    const other = await sandbox.run({ tenantId: "kv-b", grants: ["kv"], source: "export default async (i, ctx) => ({ output: [await ctx.kv.get('a'), await ctx.kv.list('')] })" });
    assert.deepEqual(other.value, { output: [null, []] });
  });

  it("ctx.log lines come back with the result, capped", async () => {
    const result = await sandbox.run({ tenantId: "logger", limits: { logLines: 3 }, source: "export default (i, ctx) => { for (let n = 0; n < 10; n++) ctx.log('line', n, { n }); console.log('via console'); return null; }" });
    assert.deepEqual(result.logs, ['line 0 {"n":0}', 'line 1 {"n":1}', 'line 2 {"n":2}']);
  });

  it("a run may make only so many host calls", async () => {
    const result = await sandbox.run({ tenantId: "chatty", grants: ["kv"], limits: { hostCalls: 2 }, source: "export default async (i, ctx) => { const codes = []; for (let n = 0; n < 3; n++) { try { await ctx.kv.get('x'); codes.push('ok'); } catch (e) { codes.push(e.code); } } return codes; }" });
    assert.deepEqual(result.value, ["ok", "ok", "SANDBOX_CAPABILITY_DENIED"]);
    await healthyRun(sandbox, "chatty");
  });
});
