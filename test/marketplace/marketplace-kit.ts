/** Builds, signs and publishes packages for the marketplace tests, as an integrator would. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSigningKeys, signIntegrity } from "../../marketplace/package/package-signing.ts";
import { integrityOf, packFolder } from "../../marketplace/package/plugin-package.ts";
import type { TestPlatform, TestResponse } from "../kit/test-platform.ts";

/**
 * A package of the first format (a hand-written manifest.json and bundle.mjs): what integrators
 * published before `bp-plugin pack` built packages from definePlugin files. The platform still
 * reads such packages, so these tests also prove that old installs keep working.
 */
export const pricingExample = join(import.meta.dirname, "fixtures/pricing-first-format");

/** A copy of the first-format pricing package under another id and version, with manifest and bundle edits. */
export async function buildPackage(options: { id: string; version: string; capabilities?: string[]; manifest?: Record<string, unknown>; bundle?: (source: string) => string }): Promise<Buffer> {
  const folder = mkdtempSync(join(tmpdir(), "bp-pkg-"));
  cpSync(pricingExample, folder, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as Record<string, unknown>;
  Object.assign(manifest, { id: options.id, version: options.version }, options.capabilities ? { capabilities: options.capabilities } : {}, options.manifest ?? {});
  writeFileSync(join(folder, "manifest.json"), JSON.stringify(manifest, null, 2));
  if (options.bundle) writeFileSync(join(folder, "bundle.mjs"), options.bundle(readFileSync(join(folder, "bundle.mjs"), "utf8")));
  return packFolder(folder);
}

export type Integrator = { id: string; key: string; privateKeyPem: string; publish(bytes: Buffer, signature?: string | null): Promise<TestResponse> };

export async function createIntegrator(node: TestPlatform, name: string): Promise<Integrator> {
  const created = await node.request("POST", "/v1/admin/publishers", { key: node.operatorKey, body: { name } });
  if (created.status !== 201) throw new Error(`publisher: ${created.status} ${created.text}`);
  const keys = generateSigningKeys();
  const registered = await node.request("POST", "/v1/marketplace/publishers/keys", { key: created.body.key, body: { publicKey: keys.publicKeyPem } });
  if (registered.status !== 201) throw new Error(`key: ${registered.status} ${registered.text}`);
  return {
    id: created.body.id,
    key: created.body.key,
    privateKeyPem: keys.privateKeyPem,
    publish(bytes, signature) {
      const headers: Record<string, string> = { "content-type": "application/gzip" };
      const sig = signature === undefined ? signIntegrity(integrityOf(bytes), keys.privateKeyPem) : signature;
      if (sig) headers["x-package-signature"] = sig;
      return node.request("POST", "/v1/marketplace/plugins", { key: created.body.key, rawBody: bytes as unknown as string, headers });
    },
  };
}

/** A flow quoting `qty` items at 10 with the given node type. */
export function quoteFlow(type = "pricing-quote") {
  return {
    start: "ask",
    nodes: [
      { id: "ask", type: "question", content: { question: "How many?", input_type: "number", variable: "session.qty" }, connections: { default: "quote" } },
      { id: "quote", type, content: { unit_price: 10, quantity: "{{session.qty}}", discount_code: "SPRING", output: "session.total" }, connections: { default: "done", invalid: "done" } },
      { id: "done", type: "message", content: { messages: [{ type: "text", text: "Total {{session.total}}" }] }, connections: { default: "end" } },
      { id: "end", type: "end", content: {} },
    ],
  };
}
