import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { packagesDir } from "../../marketplace/catalog/catalog-store.ts";
import { buildPackage, createIntegrator, quoteFlow, type Integrator } from "./marketplace-kit.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

for (const backend of databaseBackends()) {
  describe(`the marketplace, from publish to a flow (${backend})`, function () {
    this.timeout(120_000);
    let node: TestPlatform;
    let acme: Tenant;
    let globex: Tenant;
    let integrator: Integrator;
    // A vendor API on loopback that wants the plugin's secret, and echoes what it was sent.
    const SECRET = "s3cr3t-token-value";
    let vendor: Server;
    let vendorUrl: string;

    before(async () => {
      vendor = createServer((req, res) => {
        const ok = req.headers.authorization === `Bearer ${SECRET}`;
        res.writeHead(ok ? 200 : 401, { "content-type": "text/plain" }).end(ok ? `price=42 (you sent ${req.headers.authorization})` : "no");
      });
      await new Promise<void>((resolve) => vendor.listen(0, "127.0.0.1", resolve));
      vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
      node = await startTestPlatform({ backend, pluginFolders: ["plugins", "channels"], env: { MARKETPLACE_EXAMPLES: "true", ALLOW_PRIVATE_NETWORKS: "true" } });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
      integrator = await createIntegrator(node, "Acme Labs");
      for (const version of ["1.0.0", "1.1.0"]) {
        const published = await integrator.publish(await buildPackage({ id: "@labs/pricing", version, bundle: (s) => s.replace("Please give", `(v${version}) Please give`).replace("return {\n      vars", `return {\n      vars`) }));
        assert.equal(published.status, 201, published.text);
      }
      // 2.0.0 asks for one more capability.
      const v2 = await integrator.publish(await buildPackage({ id: "@labs/pricing", version: "2.0.0", capabilities: ["kv", "crypto"] }));
      assert.equal(v2.status, 201, v2.text);
    });
    after(async () => {
      await node?.cleanup();
      vendor?.close();
    });

    const install = (tenant: Tenant, body: Record<string, unknown>) => node.request("POST", "/v1/admin/plugins", { key: tenant.keys.admin, body });
    const patch = (tenant: Tenant, body: Record<string, unknown>) => node.request("PATCH", "/v1/admin/plugins/@labs/pricing", { key: tenant.keys.admin, body });

    async function chatQuote(tenant: Tenant, botId: string, qty: string) {
      const started = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });
      assert.equal(started.status, 201, started.text);
      const answered = await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: tenant.keys.widget, body: { text: qty } });
      assert.equal(answered.status, 200, answered.text);
      return (answered.body.messages as { text: string }[]).map((m) => m.text);
    }

    it("lists the first-party pricing example in the public catalog with its README and form schema", async () => {
      const list = await node.request("GET", "/v1/marketplace/plugins?kind=node-type&q=pricing");
      assert.equal(list.status, 200, list.text);
      assert.ok(list.body.plugins.some((p: { id: string }) => p.id === "@platform/pricing"));
      const detail = await node.request("GET", "/v1/marketplace/plugins/@labs/pricing");
      assert.equal(detail.body.latestVersion, "2.0.0");
      assert.deepEqual(detail.body.versions.map((v: { version: string }) => v.version).sort(), ["1.0.0", "1.1.0", "2.0.0"]);
      assert.match(detail.body.readme, /pricing-quote/);
      assert.equal(detail.body.configSchema.properties.tax_rate.type, "number");
      // In the order the integrator wrote them: the order of the fields in the console's forms.
      assert.deepEqual(Object.keys(detail.body.configSchema.properties), ["tax_rate", "currency", "discounts"]);
      assert.deepEqual(Object.keys(detail.body.nodeTypes[0].contentSchema.properties), ["unit_price", "quantity", "discount_code", "output"]);
      assert.equal(detail.body.bundle, undefined);
    });

    it("says what each version asks for in plain words, and who signed it", async () => {
      const detail = await node.request("GET", "/v1/marketplace/plugins/@labs/pricing");
      assert.deepEqual(detail.body.capabilityDescriptions, [
        { capability: "kv", description: "Store its own data (removed when you uninstall it)" },
        { capability: "crypto", description: "Compute hashes, HMAC signatures and random values" },
      ]);
      assert.deepEqual(detail.body.signature, { verified: true, signedBy: "Acme Labs", keyFingerprint: detail.body.signedBy });
      assert.deepEqual(detail.body.versions.map((v: { version: string; capabilities: string[] }) => [v.version, v.capabilities]).sort(), [["1.0.0", ["kv"]], ["1.1.0", ["kv"]], ["2.0.0", ["kv", "crypto"]]]);
      const older = await node.request("GET", "/v1/marketplace/plugins/@labs/pricing/versions/1.1.0");
      assert.equal(older.status, 200, older.text);
      assert.equal(older.body.version, "1.1.0");
      assert.deepEqual(older.body.capabilityDescriptions, [{ capability: "kv", description: "Store its own data (removed when you uninstall it)" }]);
      assert.equal(older.body.configSchema.properties.tax_rate.type, "number");
      const unknown = await node.request("GET", "/v1/marketplace/plugins/@labs/pricing/versions/9.9.9");
      assert.deepEqual([unknown.status, unknown.body.error.code], [404, "VERSION_NOT_FOUND"]);
    });

    it("refuses a second publish of the same version with 409 VERSION_EXISTS", async () => {
      const again = await integrator.publish(await buildPackage({ id: "@labs/pricing", version: "1.0.0" }));
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, "VERSION_EXISTS");
    });

    it("refuses unsigned packages and packages whose bytes changed after signing", async () => {
      const bytes = await buildPackage({ id: "@labs/other", version: "1.0.0", manifest: { nodeTypes: [{ ...JSON.parse(readFileSync(join(import.meta.dirname, "fixtures/pricing-first-format/manifest.json"), "utf8")).nodeTypes[0], type: "other-quote" }] }, bundle: (s) => s.replace('"pricing-quote"', '"other-quote"') });
      const unsigned = await integrator.publish(bytes, null);
      assert.equal(unsigned.status, 400);
      assert.equal(unsigned.body.error.code, "PACKAGE_UNSIGNED");
      const { signIntegrity } = await import("../../marketplace/package/package-signing.ts");
      const { integrityOf } = await import("../../marketplace/package/plugin-package.ts");
      const signature = signIntegrity(integrityOf(bytes), integrator.privateKeyPem);
      const tampered = Buffer.from(bytes);
      tampered[tampered.length - 10] ^= 0xff;
      const refused = await integrator.publish(tampered, signature);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, "PACKAGE_SIGNATURE_INVALID");
    });

    it("refuses a package too large (413), not a package (400), and another publisher's plugin id (403)", async () => {
      const huge = await integrator.publish(Buffer.alloc(3 * 1024 * 1024, 1), "c2ln");
      assert.equal(huge.status, 413, huge.text);
      const garbage = await integrator.publish(Buffer.from("not a tarball at all"));
      assert.equal(garbage.status, 400, garbage.text);
      assert.equal(garbage.body.error.code, "PACKAGE_INVALID");
      const rival = await createIntegrator(node, "Rival Labs");
      const squat = await rival.publish(await buildPackage({ id: "@labs/pricing", version: "9.0.0" }));
      assert.equal(squat.status, 403, squat.text);
      assert.equal(squat.body.error.code, "PLUGIN_NOT_YOURS");
      const asTenant = await node.request("POST", "/v1/marketplace/plugins", { key: acme.keys.admin, rawBody: "x", headers: { "content-type": "application/gzip" } });
      assert.equal(asTenant.status, 403, asTenant.text);
    });

    it("refuses a package whose manifest is wrong, naming the field", async () => {
      const bad = await integrator.publish(await buildPackage({ id: "@labs/bad", version: "1.0", capabilities: ["kv"] }));
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "MANIFEST_INVALID");
      assert.match(bad.body.error.message, /version/);
    });

    it("refuses an install that does not grant everything the version asks for, naming what is missing", async () => {
      const none = await install(acme, { plugin: "@labs/pricing", version: "2.0.0" });
      assert.equal(none.status, 400, none.text);
      assert.equal(none.body.error.code, "GRANTS_MISSING");
      assert.match(none.body.error.message, /needs kv, crypto/);
      const half = await install(acme, { plugin: "@labs/pricing", version: "2.0.0", grants: ["kv"] });
      assert.equal(half.body.error.code, "GRANTS_MISSING");
      assert.match(half.body.error.message, /needs crypto;/);
      const mine = await node.request("GET", "/v1/admin/plugins", { key: acme.keys.admin });
      assert.deepEqual(mine.body.installed, [], "nothing was installed");
    });

    it("refuses grants beyond what the version requests, and a configuration that breaks its schema", async () => {
      const extra = await install(acme, { plugin: "@labs/pricing", version: "1.0.0", grants: ["kv", "http:evil.example.com"] });
      assert.equal(extra.status, 400);
      assert.equal(extra.body.error.code, "GRANTS_NOT_REQUESTED");
      assert.match(extra.body.error.message, /http:evil\.example\.com/);
      const badConfig = await install(acme, { plugin: "@labs/pricing", version: "1.0.0", grants: ["kv"], config: { tax_rate: 5 } });
      assert.equal(badConfig.status, 400);
      assert.equal(badConfig.body.error.code, "CONFIG_INVALID");
      assert.match(badConfig.body.error.message, /tax_rate/);
    });

    let botId: string;
    it("installs for tenant A, whose flow then runs the plugin in the sandbox; tenant B cannot see or use it", async () => {
      const installed = await install(acme, { plugin: "@labs/pricing", version: "1.0.0", grants: ["kv"], config: { tax_rate: 0.2, currency: "EUR", discounts: { SPRING: 10 } } });
      assert.equal(installed.status, 201, installed.text);
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Shop", flow: quoteFlow() } });
      assert.equal(bot.status, 201, bot.text);
      botId = bot.body.id;
      const texts = await chatQuote(acme, botId, "3");
      // 3 × 10, 10% off, 20% tax = 32.40
      assert.ok(texts.some((t) => t.includes("32.40 EUR")), texts.join(" | "));
      assert.ok(texts.includes("Total 32.4"), texts.join(" | "));

      const mine = await node.request("GET", "/v1/admin/plugins", { key: acme.keys.admin });
      assert.deepEqual(mine.body.installed.map((p: { plugin: string }) => p.plugin), ["@labs/pricing"]);
      const theirs = await node.request("GET", "/v1/admin/plugins", { key: globex.keys.admin });
      assert.deepEqual(theirs.body.installed, []);
      const foreignFlow = await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Copy", flow: quoteFlow() } });
      assert.equal(foreignFlow.status, 422, foreignFlow.text);
      const foreignPatch = await node.request("PATCH", "/v1/admin/plugins/@labs/pricing", { key: globex.keys.admin, body: { enabled: false } });
      assert.equal(foreignPatch.status, 404);
    });

    it("upgrades with the configuration carried over, asks again for new capabilities, rolls back and disables", async () => {
      // A conversation already waiting at the question moves to the new version on its next turn.
      const waiting = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId } });
      const up = await patch(acme, { version: "1.1.0" });
      assert.equal(up.status, 200, up.text);
      const nextTurn = await node.request("POST", `/v1/chat/sessions/${waiting.body.sessionId}/messages`, { key: acme.keys.widget, body: { text: "-1" } });
      assert.ok(nextTurn.body.messages.some((m: { text: string }) => m.text.includes("(v1.1.0)")), nextTurn.text);
      assert.equal(up.body.version, "1.1.0");
      assert.equal(up.body.config.tax_rate, 0.2);
      const invalid = await chatQuote(acme, botId, "-1");
      assert.ok(invalid.some((t) => t.includes("(v1.1.0)")), invalid.join(" | "));

      const needsGrant = await patch(acme, { version: "2.0.0" });
      assert.equal(needsGrant.status, 409);
      assert.equal(needsGrant.body.error.code, "GRANTS_REQUIRED");
      assert.match(needsGrant.body.error.message, /crypto/);
      const declined = await patch(acme, { version: "2.0.0", grants: ["kv"] });
      assert.deepEqual([declined.status, declined.body.error.code], [400, "GRANTS_MISSING"], "a consent leaving out what the version asks for is no consent");
      assert.equal((await node.request("GET", "/v1/admin/plugins", { key: acme.keys.admin })).body.installed[0].version, "1.1.0");

      const back = await patch(acme, { version: "1.0.0" });
      assert.equal(back.body.version, "1.0.0");
      const older = await chatQuote(acme, botId, "-1");
      assert.ok(older.some((t) => t.includes("(v1.0.0)")), older.join(" | "));

      const off = await patch(acme, { enabled: false });
      assert.equal(off.body.enabled, false);
      const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId } });
      const failed = await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: acme.keys.widget, body: { text: "2" } });
      // A disabled plugin's node no longer runs; the end user gets the polite failure, never internals.
      assert.equal(failed.status, 200, failed.text);
      assert.ok(!failed.text.includes("EUR"), failed.text);
      assert.match(failed.body.messages[0].text, /sorry/i);
      assert.equal((await patch(acme, { enabled: true })).body.enabled, true);
    });

    it("hides a yanked version from new installs, while the tenant that has it keeps it", async () => {
      const yanked = await node.request("POST", "/v1/marketplace/plugins/@labs/pricing/versions/1.0.0/yank", { key: integrator.key });
      assert.equal(yanked.status, 200, yanked.text);
      const refused = await install(globex, { plugin: "@labs/pricing", version: "1.0.0", grants: ["kv"] });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, "VERSION_YANKED");
      const texts = await chatQuote(acme, botId, "1");
      assert.ok(texts.some((t) => t.includes("EUR")), texts.join(" | "));
    });

    it("refuses an install whose stored package was altered since it was published", async () => {
      const file = join(packagesDir(node.platform.context), "@labs", "pricing", "1.1.0.tgz");
      const original = readFileSync(file);
      const altered = Buffer.from(original);
      altered[altered.length - 20] ^= 0x01;
      writeFileSync(file, altered);
      try {
        const refused = await install(globex, { plugin: "@labs/pricing", version: "1.1.0", grants: ["kv"] });
        assert.equal(refused.status, 409);
        assert.equal(refused.body.error.code, "PACKAGE_INTEGRITY_MISMATCH");
      } finally {
        writeFileSync(file, original);
      }
    });

    it("keeps a plugin to the hosts the tenant granted, fills its secret at the edge, and keeps secrets out of every answer", async () => {
      const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures/pricing-first-format/manifest.json"), "utf8"));
      const bytes = await buildPackage({
        id: "@labs/fetcher", version: "1.0.0", capabilities: ["http:127.0.0.1", "secrets:fetch_token"],
        manifest: { secrets: [{ name: "fetch_token" }], configSchema: { type: "object", properties: { base_url: { type: "string" } }, required: ["base_url"] }, nodeTypes: [{ ...manifest.nodeTypes[0], type: "fetch-quote" }] },
        bundle: () => `export const nodeTypes = { "fetch-quote": async ({ config }, ctx) => {
          const r = await ctx.fetch(config.base_url + "/price", { headers: { authorization: "Bearer {{secret:fetch_token}}" } });
          return { messages: [{ type: "text", text: "got " + r.status + " " + r.body }] };
        } };`,
      });
      assert.equal((await integrator.publish(bytes)).status, 201);
      // The same loopback server under a name the tenant did not grant: the plugin may not reach it.
      const ungrantedUrl = vendorUrl.replace("127.0.0.1", "localhost");
      const withoutHost = await install(globex, { plugin: "@labs/fetcher", grants: ["secrets:fetch_token"], secrets: { fetch_token: SECRET }, config: { base_url: vendorUrl } });
      assert.deepEqual([withoutHost.status, withoutHost.body.error.code], [400, "GRANTS_MISSING"]);
      assert.ok(!withoutHost.text.includes(SECRET));
      const installed = await install(globex, { plugin: "@labs/fetcher", grants: ["secrets:fetch_token", "http:127.0.0.1"], secrets: { fetch_token: SECRET }, config: { base_url: ungrantedUrl } });
      assert.equal(installed.status, 201, installed.text);
      assert.deepEqual(installed.body.secrets, ["fetch_token"]);
      assert.ok(!installed.text.includes(SECRET));
      const listed = await node.request("GET", "/v1/admin/plugins", { key: globex.keys.admin });
      assert.ok(!listed.text.includes(SECRET));
      const bot = await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Fetch", flow: quoteFlow("fetch-quote") } });
      assert.equal(bot.status, 201, bot.text);
      // A host beyond its grants: the call fails for this tenant only, politely.
      const denied = await chatQuote(globex, bot.body.id, "1");
      assert.ok(!denied.some((t) => t.startsWith("got ")), denied.join(" | "));
      assert.ok(denied.some((t) => /sorry/i.test(t)), denied.join(" | "));
      const acmeStill = await chatQuote(acme, botId, "1");
      assert.ok(acmeStill.some((t) => t.includes("EUR")), acmeStill.join(" | "));
      // At the granted host, the call goes out with the secret filled in by the host; the vendor's echo of it comes back masked.
      const granted = await node.request("PATCH", "/v1/admin/plugins/@labs/fetcher", { key: globex.keys.admin, body: { config: { base_url: vendorUrl } } });
      assert.equal(granted.status, 200, granted.text);
      const answered = await chatQuote(globex, bot.body.id, "1");
      assert.ok(answered.some((t) => t.startsWith("got 200 price=42")), answered.join(" | "));
      assert.ok(!answered.join(" ").includes(SECRET), answered.join(" | "));
    });

    it("installs the first-party pricing example, signed by the platform publisher at first start", async () => {
      const installed = await install(globex, { plugin: "@platform/pricing", grants: ["kv"], config: { currency: "GBP" } });
      assert.equal(installed.status, 201, installed.text);
      assert.equal(installed.body.version, "1.0.0");
    });

    it("uninstalls: the node type is gone from the tenant's flows and the plugin's stored data is removed", async () => {
      const kvRows = async () => Number((await node.platform.context.db.orm.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from tenant_kv where tenant_id = ? and key like 'plugin:@labs/pricing:%'`, [acme.id]))[0]!.n);
      assert.ok(await kvRows() >= 1);
      const removed = await node.request("DELETE", "/v1/admin/plugins/@labs/pricing", { key: acme.keys.admin });
      assert.equal(removed.status, 200, removed.text);
      assert.ok(removed.body.keysRemoved >= 1, removed.text);
      assert.equal(await kvRows(), 0);
      const rows = await node.platform.context.db.orm.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from marketplace_install where tenant_id = ?`, [acme.id]);
      assert.equal(Number(rows[0]!.n), 0);
      const again = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Shop 2", flow: quoteFlow() } });
      assert.equal(again.status, 422);
      // Reinstalled, it starts from nothing: the quote counter begins at 1 again.
      assert.equal((await install(acme, { plugin: "@labs/pricing", version: "1.1.0", grants: ["kv"] })).status, 201);
      const texts = await chatQuote(acme, botId, "1");
      assert.ok(texts.some((t) => t.includes("EUR")), texts.join(" | "));
    });
  });
}
