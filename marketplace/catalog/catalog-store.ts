/**
 * The catalog's rows, read and written with plain SQL (migration 0009). Package files live in
 * MARKETPLACE_DIR (by default DATA_DIR/packages), one `<scope>/<name>/<version>.tgz` each; nodes
 * of a cluster share that folder, as they share the database.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { PlatformContext } from "../../core/kernel/broker/platform-context.ts";
import type { PluginManifest } from "../package/plugin-manifest.schema.ts";

export type VersionRow = {
  plugin_id: string; version: string; manifest: PluginManifest; readme: string; changelog: string; bundle: string;
  integrity: string; signature: string | null; key_fingerprint: string | null; package_path: string; yanked_at: Date | null; created_at: Date;
};
export type PluginRow = { id: string; publisher_id: string; description: string; category: string; kinds: string[]; latest_version: string | null; created_at: Date; updated_at: Date };
export type KeyRow = { public_key: string; fingerprint: string };

export function packagesDir(platform: PlatformContext): string {
  return resolve(platform.config.MARKETPLACE_DIR ?? join(platform.config.DATA_DIR, "packages"));
}

export function createCatalogStore(platform: PlatformContext) {
  const sql = <T extends object = object[]>(text: string, params: unknown[] = []) => platform.db.orm.em.fork().getConnection().execute<T>(text, params);
  const root = packagesDir(platform);
  const fileOf = (pluginId: string, version: string) => join(root, ...pluginId.split("/"), `${version}.tgz`);

  return {
    sql,
    writePackage(pluginId: string, version: string, bytes: Buffer): string {
      const path = fileOf(pluginId, version);
      mkdirSync(dirname(path), { recursive: true });
      // A version never changes: an existing file (an earlier failed publish) is replaced only by the same name.
      writeFileSync(path, bytes);
      return `${pluginId}/${version}.tgz`;
    },
    readPackage(pluginId: string, version: string): Buffer | undefined {
      const path = fileOf(pluginId, version);
      return existsSync(path) ? readFileSync(path) : undefined;
    },
    async plugin(id: string): Promise<PluginRow | undefined> {
      return (await sql<PluginRow[]>(`select * from marketplace_plugin where id = ?`, [id]))[0];
    },
    async version(id: string, version: string): Promise<VersionRow | undefined> {
      return (await sql<VersionRow[]>(`select * from marketplace_plugin_version where plugin_id = ? and version = ?`, [id, version]))[0];
    },
    async versions(id: string): Promise<VersionRow[]> {
      return sql<VersionRow[]>(`select * from marketplace_plugin_version where plugin_id = ? order by created_at desc`, [id]);
    },
    async activeKeys(publisherId: string): Promise<KeyRow[]> {
      return sql<KeyRow[]>(`select public_key, fingerprint from marketplace_publisher_key where publisher_id = ? and revoked_at is null`, [publisherId]);
    },
  };
}
export type CatalogStore = ReturnType<typeof createCatalogStore>;
