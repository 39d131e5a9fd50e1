/**
 * The platform serves the console itself at /console: index.html never cached, hashed assets
 * cached for a year and precompressed, a Content-Security-Policy allowing only its own scripts,
 * the app's own routes answered with index.html, and a clear 503 when it was never built. And the
 * built console stays within its JavaScript budgets.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import Fastify, { type FastifyInstance } from "fastify";
import { consoleRoutesFor } from "../../core/server/console-assets.ts";
import type { GatewayTools, ZodApp } from "../../core/kernel/gateway/gateway-app.ts";
import { consoleDist, ensureConsoleBuilt } from "./console-kit.ts";

async function serve(dist: string): Promise<FastifyInstance> {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  consoleRoutesFor(dist)(app as unknown as ZodApp, {} as GatewayTools);
  await app.ready();
  return app;
}

describe("the console, served by the platform at /console", function () {
  this.timeout(300_000);
  let dist: string;
  let app: FastifyInstance;
  const script = `console.log(${JSON.stringify("x".repeat(2000))});`;

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), "bp-console-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), `<!doctype html><title>Console</title><script type="module" src="/console/assets/app-abc123.js"></script>`);
    writeFileSync(join(dist, "assets/app-abc123.js"), script);
    writeFileSync(join(dist, "assets/app-abc123.js.br"), brotliCompressSync(script));
    writeFileSync(join(dist, "assets/app-abc123.js.gz"), gzipSync(script));
    app = await serve(dist);
  });
  after(async () => {
    await app?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("answers /console and the app's own routes with index.html, never cached, under a same-origin script policy", async () => {
    for (const url of ["/console", "/console/", "/console/bots/8f1c/versions"]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(String(response.headers["content-type"]), /text\/html/);
      assert.equal(response.headers["cache-control"], "no-cache", url);
      assert.match(response.body, /<title>Console<\/title>/);
      const csp = String(response.headers["content-security-policy"]);
      assert.match(csp, /script-src 'self'(;|$)/, "scripts only from the platform's own origin");
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    }
  });

  it("serves hashed assets for a year, brotli or gzip as the browser accepts, and a missing asset is a 404", async () => {
    const br = await app.inject({ url: "/console/assets/app-abc123.js", headers: { "accept-encoding": "gzip, br" } });
    assert.equal(br.statusCode, 200);
    assert.equal(br.headers["content-encoding"], "br");
    assert.match(String(br.headers["cache-control"]), /max-age=31536000.*immutable|immutable.*max-age=31536000/);
    assert.match(String(br.headers["content-type"]), /javascript/);
    const gz = await app.inject({ url: "/console/assets/app-abc123.js", headers: { "accept-encoding": "gzip" } });
    assert.equal(gz.headers["content-encoding"], "gzip");
    const plain = await app.inject({ url: "/console/assets/app-abc123.js" });
    assert.equal(plain.body, script);
    assert.equal((await app.inject({ url: "/console/assets/missing-000.js" })).statusCode, 404);
    assert.notEqual((await app.inject({ url: "/console/..%2f..%2fpackage.json" })).statusCode, 200, "nothing outside the build is served");
  });

  it("answers 503 with a page saying how to build the console when it was never built", async () => {
    const empty = mkdtempSync(join(tmpdir(), "bp-console-empty-"));
    const bare = await serve(empty);
    try {
      const response = await bare.inject({ url: "/console/bots" });
      assert.equal(response.statusCode, 503);
      assert.match(String(response.headers["content-type"]), /text\/html/);
      assert.match(response.body, /scripts\/build-console\.sh/);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("keeps the built console within its JavaScript budgets: the editor under 350 kB gzip, other pages under 150 kB", () => {
    ensureConsoleBuilt();
    type Chunk = { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[]; src?: string };
    const manifest = JSON.parse(readFileSync(join(consoleDist, ".vite/manifest.json"), "utf8")) as Record<string, Chunk>;
    // What a page loads: its chunk and everything it imports statically (dynamic imports load later, on their own page).
    const loaded = (key: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(key)) return seen;
      seen.add(key);
      for (const inner of manifest[key]?.imports ?? []) loaded(inner, seen);
      return seen;
    };
    const gzipKb = (keys: Iterable<string>) => [...keys].reduce((sum, key) => sum + gzipSync(readFileSync(join(consoleDist, manifest[key]!.file)), { level: 9 }).length, 0) / 1024;
    const entry = Object.keys(manifest).find((key) => manifest[key]!.isEntry)!;
    const editor = Object.keys(manifest).find((key) => key.endsWith("flows/FlowEditorPage.tsx"))!;
    const versions = Object.keys(manifest).find((key) => key.endsWith("flows/VersionsPage.tsx"))!;
    const analytics = Object.keys(manifest).find((key) => key.endsWith("analytics/AnalyticsPage.tsx"))!;
    assert.ok(entry && editor && versions && analytics, "the editor, the versions page and the analytics page are chunks of their own");
    const base = loaded(entry);
    const pages = { "sign-in and bots": gzipKb(base), versions: gzipKb(new Set([...base, ...loaded(versions)])), analytics: gzipKb(new Set([...base, ...loaded(analytics)])), editor: gzipKb(new Set([...base, ...loaded(editor)])) };
    assert.ok(pages["sign-in and bots"] < 150, `sign-in and bots load ${pages["sign-in and bots"].toFixed(1)} kB`);
    assert.ok(pages.versions < 150, `versions load ${pages.versions.toFixed(1)} kB`);
    assert.ok(pages.analytics < 150, `analytics loads ${pages.analytics.toFixed(1)} kB`);
    assert.ok(pages.editor < 350, `the editor loads ${pages.editor.toFixed(1)} kB`);
    assert.ok(!base.has(editor), "React Flow is not in the bundle every page loads");
  });
});
