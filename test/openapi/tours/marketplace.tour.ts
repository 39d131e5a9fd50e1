import assert from "node:assert/strict";
import { buildPackage, createIntegrator } from "../../marketplace/marketplace-kit.ts";
import type { Tour } from "./tour.ts";

/**
 * The marketplace as the console uses it: a plugin and one of its versions in full, an install
 * refused until it grants everything, then installed, an update refused until consented to,
 * disabled and uninstalled.
 */
export const tour: Tour = async ({ node, call, admin }) => {
  const integrator = await createIntegrator(node, "Tour Labs");
  for (const [version, capabilities] of [["1.0.0", ["kv"]], ["1.1.0", ["kv", "crypto"]]] as const) {
    const published = await integrator.publish(await buildPackage({ id: "@tour/pricing", version, capabilities: [...capabilities] }));
    assert.equal(published.status, 201, published.text);
  }
  const plugin = await call("GET", "/v1/marketplace/plugins/@tour/pricing");
  assert.deepEqual(plugin.body.capabilityDescriptions.map((c: { capability: string }) => c.capability), ["kv", "crypto"]);
  const version = await call("GET", "/v1/marketplace/plugins/@tour/pricing/versions/1.0.0");
  assert.equal(version.status, 200, version.text);
  assert.equal(version.body.signature.verified, true);
  await call("GET", "/v1/marketplace/plugins/@tour/pricing/versions/4.0.0");

  const partial = await call("POST", "/v1/admin/plugins", { ...admin, body: { plugin: "@tour/pricing", version: "1.0.0" } });
  assert.deepEqual([partial.status, partial.body.error.code], [400, "GRANTS_MISSING"]);
  const installed = await call("POST", "/v1/admin/plugins", { ...admin, body: { plugin: "@tour/pricing", version: "1.0.0", grants: ["kv"], config: { currency: "EUR" } } });
  assert.equal(installed.status, 201, installed.text);
  const again = await call("POST", "/v1/admin/plugins", { ...admin, body: { plugin: "@tour/pricing", grants: ["kv", "crypto"] } });
  assert.equal(again.status, 409, again.text);
  const unconsented = await call("PATCH", "/v1/admin/plugins/@tour/pricing", { ...admin, body: { version: "1.1.0" } });
  assert.deepEqual([unconsented.status, unconsented.body.error.code], [409, "GRANTS_REQUIRED"]);
  const updated = await call("PATCH", "/v1/admin/plugins/@tour/pricing", { ...admin, body: { version: "1.1.0", grants: ["kv", "crypto"] } });
  assert.equal(updated.status, 200, updated.text);
  await call("PATCH", "/v1/admin/plugins/@tour/pricing", { ...admin, body: { enabled: false } });
  await call("GET", "/v1/admin/plugins", admin);
  const removed = await call("DELETE", "/v1/admin/plugins/@tour/pricing", admin);
  assert.equal(removed.status, 200, removed.text);
};
