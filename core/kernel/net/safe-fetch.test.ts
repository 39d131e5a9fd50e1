import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { isPlatformError } from "../../sdk/platform-error.ts";
import { isBlockedAddress, safeFetch } from "./safe-fetch.ts";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isPlatformError(err), `expected a PlatformError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

describe("safeFetch", () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });
  const local = { allowPrivateNetworks: true } as const;

  it("fetches a local server when private networks are allowed, with method, headers and body", async () => {
    const s = await serve((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => { res.setHeader("x-echo", String(req.headers["x-token"])); res.end(JSON.stringify({ method: req.method, body })); });
    });
    servers.push(s);
    const res = await safeFetch(`http://127.0.0.1:${s.port}/echo`, { method: "post", headers: { "x-token": "t1" }, body: "hi" }, local);
    assert.equal(res.status, 200);
    assert.equal(res.headers["x-echo"], "t1");
    assert.deepEqual(JSON.parse(res.body), { method: "POST", body: "hi" });
    assert.equal(res.url, `http://127.0.0.1:${s.port}/echo`);
  });

  for (const target of ["http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.5.4/", "http://100.64.0.1/", "http://0.0.0.0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/", "http://[fd00::1]/", "http://[fe80::1]/", "http://224.0.0.1/"]) {
    it(`refuses ${target} with SSRF_BLOCKED`, async () => {
      await rejectsWith(safeFetch(target, { timeoutMs: 500 }), "SSRF_BLOCKED");
    });
  }

  it("refuses a host name that resolves to loopback, checking the address it resolves to", async () => {
    const s = await serve((_req, res) => res.end("secret"));
    servers.push(s);
    await rejectsWith(safeFetch(`http://localhost:${s.port}/`), "SSRF_BLOCKED");
  });

  it("refuses schemes other than http and https", async () => {
    await rejectsWith(safeFetch("file:///etc/passwd"), "SSRF_BLOCKED");
    await rejectsWith(safeFetch("ftp://example.com/"), "SSRF_BLOCKED");
    await rejectsWith(safeFetch("not a url"), "FETCH_INVALID_URL");
  });

  it("refuses a host that is not on the allowlist", async () => {
    const s = await serve((_req, res) => res.end("ok"));
    servers.push(s);
    await rejectsWith(safeFetch(`http://127.0.0.1:${s.port}/`, {}, { ...local, allowedHosts: ["api.example.com"] }), "SSRF_BLOCKED");
    const ok = await safeFetch(`http://localhost:${s.port}/`, {}, { ...local, allowedHosts: ["localhost"] });
    assert.equal(ok.body, "ok");
  });

  it("matches wildcard allowlist entries against subdomains only", async () => {
    const { hostAllowed } = await import("./safe-fetch.ts");
    assert.ok(hostAllowed("api.example.com", ["*.example.com"]));
    assert.ok(!hostAllowed("example.com", ["*.example.com"]));
    assert.ok(!hostAllowed("evilexample.com", ["*.example.com"]));
    assert.ok(hostAllowed("API.Example.com.", ["api.example.com"]));
  });

  it("refuses a redirect from an allowed server to an address that is not allowed", async () => {
    const inner = await serve((_req, res) => res.end("internal"));
    const outer = await serve((_req, res) => { res.statusCode = 302; res.setHeader("location", `http://127.0.0.1:${inner.port}/admin`); res.end(); });
    servers.push(inner, outer);
    await rejectsWith(safeFetch(`http://localhost:${outer.port}/`, {}, { ...local, allowedHosts: ["localhost"] }), "SSRF_BLOCKED");
  });

  it("follows a redirect to an allowed place, turns a 303 into a GET and drops credentials across origins", async () => {
    const seen: { method?: string; auth?: string }[] = [];
    const target = await serve((req, res) => { seen.push({ method: req.method, auth: req.headers.authorization }); res.end("landed"); });
    const start = await serve((_req, res) => { res.statusCode = 303; res.setHeader("location", `http://127.0.0.1:${target.port}/done`); res.end(); });
    servers.push(target, start);
    const res = await safeFetch(`http://127.0.0.1:${start.port}/`, { method: "POST", body: "x", headers: { authorization: "Bearer s" } }, local);
    assert.equal(res.body, "landed");
    assert.equal(res.url, `http://127.0.0.1:${target.port}/done`);
    assert.deepEqual(seen, [{ method: "GET", auth: undefined }]);
  });

  it("stops after the redirect limit", async () => {
    const loop = await serve((req, res) => { res.statusCode = 302; res.setHeader("location", `/again${req.url}`); res.end(); });
    servers.push(loop);
    await rejectsWith(safeFetch(`http://127.0.0.1:${loop.port}/`, { maxRedirects: 2 }, local), "FETCH_REDIRECT_LIMIT");
  });

  it("aborts a response past the size cap with FETCH_TOO_LARGE, declared or streamed", async () => {
    const big = await serve((req, res) => {
      if (req.url === "/declared") { res.setHeader("content-length", "5000"); res.end("x".repeat(5000)); return; }
      res.write("x".repeat(3000));
      res.write("x".repeat(3000));
      res.end();
    });
    servers.push(big);
    await rejectsWith(safeFetch(`http://127.0.0.1:${big.port}/declared`, { maxBytes: 1000 }, local), "FETCH_TOO_LARGE");
    await rejectsWith(safeFetch(`http://127.0.0.1:${big.port}/streamed`, { maxBytes: 4000 }, local), "FETCH_TOO_LARGE");
  });

  it("gives up on a slow server with FETCH_TIMEOUT", async () => {
    const slow = await serve((_req, res) => { setTimeout(() => res.end("late"), 2000).unref(); });
    servers.push(slow);
    const started = Date.now();
    await rejectsWith(safeFetch(`http://127.0.0.1:${slow.port}/`, { timeoutMs: 150 }, local), "FETCH_TIMEOUT");
    assert.ok(Date.now() - started < 1000);
  });

  it("reports a refused connection as FETCH_FAILED, which is retryable", async () => {
    const s = await serve((_req, res) => res.end());
    const port = s.port;
    await s.close();
    await assert.rejects(safeFetch(`http://127.0.0.1:${port}/`, {}, local), (err: unknown) => isPlatformError(err) && err.code === "FETCH_FAILED" && err.retryable);
  });

  it("refuses headers that would split the request", async () => {
    await rejectsWith(safeFetch("http://example.com/", { headers: { "x-a": "1\r\nhost: evil" } }), "FETCH_INVALID_REQUEST");
  });

  it("classifies addresses, including IPv4 embedded in IPv6", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.100.100.100", "0.1.2.3", "::1", "::", "::ffff:10.0.0.1", "::ffff:7f00:1", "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1", "fc00::1", "fdff::1", "fe80::1%eth0", "ff02::1", "255.255.255.255", "garbage"]) {
      assert.ok(isBlockedAddress(a), `${a} should be blocked`);
    }
    for (const a of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      assert.ok(!isBlockedAddress(a), `${a} should be allowed`);
    }
  });
});
