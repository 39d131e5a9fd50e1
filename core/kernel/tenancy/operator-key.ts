import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EntityManager } from "@mikro-orm/postgresql";
import { PlatformSetting } from "../persistence/platform-setting.entity.ts";
import { generateApiKey, hashApiKey } from "./api-keys.ts";

export type OperatorKey = { hash: string; /** Set only when this start generated or read the key, so it can be printed. */ plain?: string; generated: boolean };

/**
 * The operator key is PLATFORM_ADMIN_KEY when set. Otherwise (embedded default, development) it is
 * generated on first start, kept in DATA_DIR/operator.key (readable by the owner only) so the
 * developer can find it again, and its hash is stored in the database.
 */
export async function ensureOperatorKey(em: EntityManager, configured: string | undefined, dataDir: string): Promise<OperatorKey> {
  if (configured) return { hash: hashApiKey(configured), generated: false };
  const file = join(dataDir, "operator.key");
  let plain = existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
  let generated = false;
  if (!plain) {
    // Another node sharing this database may already have made one: keep it rather than lock it out.
    const stored = await em.findOne(PlatformSetting, { key: "operator_key_hash" });
    if (typeof stored?.value === "string") return { hash: stored.value, generated: false };
    plain = generateApiKey("operator");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, plain + "\n", { mode: 0o600 });
    chmodSync(file, 0o600);
    generated = true;
  }
  const hash = hashApiKey(plain);
  await em.upsert(PlatformSetting, { key: "operator_key_hash", value: hash, updatedAt: new Date() });
  return { hash, plain, generated };
}
