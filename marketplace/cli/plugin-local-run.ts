/**
 * `bp-plugin test`: runs one node type of a plugin folder in a local sandbox (the same isolates and
 * limits as the platform), with an in-memory kv and no network, and prints what it answered.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createMemoryKeyValueStore, createSandbox } from "../../sandbox/index.ts";
import { parseManifest } from "../package/plugin-manifest.schema.ts";
import { entries, kvPrefixOf, wrapBundle } from "../runtime/sandboxed-bundle.ts";

export async function runLocally(dir: string, type: string, input: { content?: unknown; config?: unknown }, extraGrants: readonly string[]): Promise<unknown> {
  const manifest = parseManifest(readFileSync(join(dir, "manifest.json")));
  if (!manifest.nodeTypes.some((n) => n.type === type)) throw new Error(`${manifest.id} declares no node type ${type}`);
  const sandbox = createSandbox({ workers: 1, kv: createMemoryKeyValueStore() });
  try {
    const grants = [...new Set([...manifest.capabilities.filter((c) => !c.startsWith("http:")), ...extraGrants])];
    const result = await sandbox.run({
      tenantId: "local-test", source: wrapBundle(readFileSync(join(dir, "bundle.mjs"), "utf8")), entry: entries.nodeType, grants,
      input: { type, input: { content: input.content ?? {}, config: input.config ?? {}, idempotencyKey: "local:test:1" }, kvPrefix: kvPrefixOf(manifest.id) },
    });
    return { answer: result.value, logs: result.logs };
  } finally {
    await sandbox.close();
  }
}
