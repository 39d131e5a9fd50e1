import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "tar";
import { isPlatformError } from "../../core/sdk/platform-error.ts";
import { generateSigningKeys, parsePublicKey, signIntegrity, verifyIntegrity } from "./package-signing.ts";
import { parseManifest } from "./plugin-manifest.schema.ts";
import { integrityOf, packFolder, unpackPackage } from "./plugin-package.ts";
import { checkGrants } from "../installs/plugin-config.check.ts";

// A package folder of the first format (manifest.json + bundle.mjs): the archive format is the same.
const example = join(import.meta.dirname, "../../test/marketplace/fixtures/pricing-first-format");
const code = (expected: string) => (error: unknown) => isPlatformError(error) && error.code === expected;
const manifestWith = (changes: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(JSON.stringify(parseManifest(Buffer.from(JSON.stringify({ id: "@a/b", version: "1.0.0", platform: "^1.0.0", kinds: ["crm"] }))))), ...changes });

describe("plugin packages", () => {
  it("packs the same folder to the same bytes, and unpacks what it packed", async () => {
    const one = await packFolder(example);
    const two = await packFolder(example);
    assert.equal(integrityOf(one), integrityOf(two));
    const files = await unpackPackage(one);
    assert.equal(parseManifest(files["manifest.json"]!).id, "@platform/pricing");
    assert.match(files["bundle.mjs"]!.toString(), /pricing-quote/);
    assert.ok(files["icon.svg"]);
  });

  it("refuses archives holding anything but the package files, such as a symlink", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bp-pkg-unit-"));
    try {
      cpSync(example, dir, { recursive: true });
      symlinkSync("/etc/passwd", join(dir, "README.md.link"));
      writeFileSync(join(dir, "extra.js"), "x");
      const chunks: Buffer[] = [];
      for await (const chunk of create({ gzip: true, cwd: dir, portable: true }, ["manifest.json", "bundle.mjs", "README.md.link"])) chunks.push(Buffer.from(chunk as Uint8Array));
      await assert.rejects(unpackPackage(Buffer.concat(chunks)), code("PACKAGE_INVALID"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("verifies a signature only with the signer's key and only for the same integrity", () => {
    const signer = generateSigningKeys();
    const other = generateSigningKeys();
    const signature = signIntegrity("sha512-abc", signer.privateKeyPem);
    assert.equal(verifyIntegrity("sha512-abc", signature, parsePublicKey(signer.publicKeyPem)), true);
    assert.equal(verifyIntegrity("sha512-abd", signature, parsePublicKey(signer.publicKeyPem)), false);
    assert.equal(verifyIntegrity("sha512-abc", signature, parsePublicKey(other.publicKeyPem)), false);
    // The raw 32-byte key in base64 is the same key.
    const raw = parsePublicKey(signer.publicKeyPem).export({ format: "der", type: "spki" }).subarray(12).toString("base64");
    assert.equal(verifyIntegrity("sha512-abc", signature, parsePublicKey(raw)), true);
    assert.throws(() => parsePublicKey("not a key"), code("PUBLIC_KEY_INVALID"));
  });
});

describe("manifest checks at publish", () => {
  it("refuses a platform range this platform does not satisfy", () => {
    assert.throws(() => parseManifest(manifestWith({ platform: "^2.0.0" })), code("PLATFORM_INCOMPATIBLE"));
  });
  it("refuses capabilities with a bad syntax or listed twice, naming the field", () => {
    assert.throws(() => parseManifest(manifestWith({ capabilities: ["http:"] })), (e: unknown) => code("MANIFEST_INVALID")(e) && /capabilities/.test((e as Error).message));
    assert.throws(() => parseManifest(manifestWith({ capabilities: ["kv", "kv"] })), (e: unknown) => /capabilities lists kv twice/.test((e as Error).message));
  });
  it("ties declared secrets to secrets: capabilities both ways", () => {
    assert.throws(() => parseManifest(manifestWith({ secrets: [{ name: "token" }] })), (e: unknown) => /secrets:token is not requested/.test((e as Error).message));
    assert.throws(() => parseManifest(manifestWith({ capabilities: ["secrets:token"] })), (e: unknown) => /not declared/.test((e as Error).message));
    assert.equal(parseManifest(manifestWith({ secrets: [{ name: "token" }], capabilities: ["secrets:token"] })).secrets[0]!.name, "token");
  });
  it("ties kind tool to declared tools with object input schemas", () => {
    assert.throws(() => parseManifest(manifestWith({ kinds: ["tool"] })), (e: unknown) => /kind tool and a non-empty tools/.test((e as Error).message));
    const tool = { name: "lookup_order", description: "Finds an order", inputSchema: { type: "object", properties: { id: { type: "string" } } } };
    assert.equal(parseManifest(manifestWith({ kinds: ["tool"], tools: [tool] })).tools[0]!.name, "lookup_order");
    assert.throws(() => parseManifest(manifestWith({ kinds: ["tool"], tools: [tool, tool] })), (e: unknown) => /tools lists lookup_order twice/.test((e as Error).message));
    assert.throws(() => parseManifest(manifestWith({ kinds: ["tool"], tools: [{ ...tool, inputSchema: { type: "string" } }] })), (e: unknown) => /tools\.0\.inputSchema/.test((e as Error).message));
  });
  it("lets a manifest ask for hosts the tenant names (http:*), answered only by concrete hosts", () => {
    const manifest = parseManifest(manifestWith({ capabilities: ["http:*", "kv"] }));
    assert.throws(() => checkGrants(manifest, ["http:*"]), code("GRANTS_NOT_REQUESTED"));
    assert.doesNotThrow(() => checkGrants(manifest, ["http:crm.acme.com", "http:127.0.0.1", "kv"]));
    assert.throws(() => checkGrants(parseManifest(manifestWith({ capabilities: ["http:api.acme.com"] })), ["http:evil.example.com"]), code("GRANTS_NOT_REQUESTED"));
  });
  it("refuses kinds that cannot run in the sandbox and a non-object config schema", () => {
    assert.throws(() => parseManifest(manifestWith({ kinds: ["channel"] })), code("MANIFEST_INVALID"));
    assert.throws(() => parseManifest(manifestWith({ configSchema: { type: "string" } })), (e: unknown) => /configSchema/.test((e as Error).message));
  });
});
