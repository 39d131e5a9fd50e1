/**
 * First start publishes the first-party examples (marketplace/examples/*, each a definePlugin
 * file packed as `bp-plugin pack` packs it) into the catalog, as the
 * `platform` publisher, signed with a key generated then and kept in DATA_DIR (never in the
 * database). Later starts publish example versions the catalog lacks; a node without the key (a
 * cluster's second node) leaves that to the node that has it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceBroker } from "moleculer";
import type { PlatformContext } from "../../core/kernel/broker/platform-context.ts";
import { isPlatformError } from "../../core/sdk/platform-error.ts";
import { generateSigningKeys, signIntegrity } from "../package/package-signing.ts";
import { integrityOf } from "../package/plugin-package.ts";
import { packPlugin, pluginEntryOf, readDefinition } from "../package/plugin-build.ts";

export const PLATFORM_PUBLISHER = "platform";
const examplesDir = join(import.meta.dirname, "..", "examples");

export async function publishFirstPartyExamples(broker: ServiceBroker, platform: PlatformContext): Promise<string[]> {
  const sql = <T extends object = object[]>(text: string, params: unknown[] = []) => platform.db.orm.em.fork().getConnection().execute<T>(text, params);
  const keyFile = join(platform.config.DATA_DIR, "marketplace-signing-key.pem");
  let publisherId = (await sql<{ id: string }[]>(`select id from marketplace_publisher where name = ?`, [PLATFORM_PUBLISHER]))[0]?.id;
  if (!publisherId) {
    try {
      publisherId = (await broker.call<{ id: string }, object>("marketplace.createPublisher", { name: PLATFORM_PUBLISHER })).id;
    } catch (error) {
      // Another node of the cluster created it first; it publishes the examples.
      if (isPlatformError(error) && error.code === "PUBLISHER_EXISTS") return [];
      throw error;
    }
    const keys = generateSigningKeys();
    writeFileSync(keyFile, keys.privateKeyPem, { mode: 0o600 });
    await broker.call("marketplace.registerKey", { publisherId, publicKey: keys.publicKeyPem });
  }
  if (!existsSync(keyFile)) return [];
  const privateKey = readFileSync(keyFile, "utf8");
  const published: string[] = [];
  for (const name of readdirSync(examplesDir)) {
    const folder = join(examplesDir, name);
    const entry = pluginEntryOf(folder);
    if (!entry) continue;
    const definition = await readDefinition(entry);
    const known = await sql<{ version: string }[]>(`select version from marketplace_plugin_version where plugin_id = ? and version = ?`, [definition.id, definition.version]);
    if (known[0]) continue;
    const { bytes } = await packPlugin(folder);
    try {
      await broker.call("marketplace.publish", { publisherId, package: bytes.toString("base64"), signature: signIntegrity(integrityOf(bytes), privateKey), firstParty: true });
      published.push(`${definition.id}@${definition.version}`);
    } catch (error) {
      if (!(isPlatformError(error) && error.code === "VERSION_EXISTS")) throw error;
    }
  }
  return published;
}
