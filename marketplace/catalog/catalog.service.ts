/**
 * The `marketplace` service: publishers, their signing keys, publishing, the catalog, and the
 * verified package an install needs. Publishing checks everything it can before anything is
 * stored: signature, package layout, manifest, and that the bundle loads in the sandbox.
 */
import semver from "semver";
import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../core/kernel/broker/platform-context.ts";
import { ConflictError, ForbiddenError, NotFoundError, PlatformError, ValidationError, isPlatformError } from "../../core/sdk/platform-error.ts";
import type { NodeTypeRegistry } from "../../core/engine/flow/node-type-registry.ts";
import { generateApiKey, hashApiKey, displayPrefix } from "../../core/kernel/tenancy/api-keys.ts";
import { integrityOf, unpackPackage } from "../package/plugin-package.ts";
import { parseManifest, type PluginManifest } from "../package/plugin-manifest.schema.ts";
import { keyFingerprint, parsePublicKey, publicKeyPem, verifyIntegrity } from "../package/package-signing.ts";
import { checkDescribedBundle, entries, wrapBundle } from "../runtime/sandboxed-bundle.ts";
import { createCatalogStore, type PluginRow, type VersionRow } from "./catalog-store.ts";
import { pluginView, versionSummary, versionView, type SignatureView } from "./catalog-views.ts";
import { FlowErrorCode } from "../../core/engine/flow/flow-errors.ts";
import { MarketplaceErrorCode } from "../marketplace-errors.ts";

/** `firstParty`: our own examples, published at every first start; their bundles are tested in this repository, so no sandbox worker is started just to load them. */
export type PublishParams = { publisherId: string; package: string; signature?: string; firstParty?: boolean };
export const PAGE_SIZE = 20;

export function createCatalogService(platform: PlatformContext, baseNodeTypes: NodeTypeRegistry): ServiceSchema {
  const store = createCatalogStore(platform);
  const { sql } = store;

  async function signedBy(publisherId: string, integrity: string, signature: string | null | undefined): Promise<string> {
    if (!signature) throw new ValidationError(MarketplaceErrorCode.packageUnsigned, "The package is not signed; send its signature in the x-package-signature header (bp-plugin sign)");
    const keys = await store.activeKeys(publisherId);
    const match = keys.find((k) => verifyIntegrity(integrity, signature, parsePublicKey(k.public_key)));
    if (!match) throw new ValidationError(MarketplaceErrorCode.packageSignatureInvalid, keys.length === 0 ? "The publisher has no signing key; register one first" : "The signature does not match the package and any of the publisher's keys");
    return match.fingerprint;
  }

  async function pluginWithPublisher(id: string): Promise<Parameters<typeof pluginView>[0]> {
    const rows = await sql<Parameters<typeof pluginView>[0][]>(`select p.*, pub.name as publisher_name from marketplace_plugin p join marketplace_publisher pub on pub.id = p.publisher_id where p.id = ?`, [id]);
    if (!rows[0]) throw new NotFoundError(MarketplaceErrorCode.pluginNotFound, "Plugin");
    return rows[0];
  }

  /**
   * Checked again on every read rather than trusted from publish: a key the publisher revoked since
   * no longer vouches for its packages. (The bytes themselves are checked at install, verifiedPackage.)
   */
  async function signatureOf(plugin: PluginRow & { publisher_name: string }, row: VersionRow): Promise<SignatureView> {
    const keys = row.signature ? await store.activeKeys(plugin.publisher_id) : [];
    const verified = keys.some((k) => verifyIntegrity(row.integrity, row.signature!, parsePublicKey(k.public_key)));
    return { verified, signedBy: plugin.publisher_name, keyFingerprint: row.key_fingerprint };
  }

  async function refreshLatest(pluginId: string): Promise<void> {
    const rows = await sql<{ version: string }[]>(`select version from marketplace_plugin_version where plugin_id = ? and yanked_at is null`, [pluginId]);
    const latest = semver.rsort(rows.map((r) => r.version))[0] ?? null;
    await sql(`update marketplace_plugin set latest_version = ?, updated_at = now() where id = ?`, [latest, pluginId]);
  }

  return {
    name: "marketplace",
    actions: {
      async createPublisher(ctx: Context<{ name: string }>) {
        const taken = await sql<{ id: string }[]>(`select id from marketplace_publisher where name = ?`, [ctx.params.name]);
        if (taken[0]) throw new ConflictError(MarketplaceErrorCode.publisherExists, `A publisher named ${ctx.params.name} exists`);
        const id = crypto.randomUUID();
        const keyId = crypto.randomUUID();
        const key = generateApiKey("integrator");
        await sql(`insert into api_key (id, tenant_id, kind, hash, prefix) values (?, null, 'integrator', ?, ?)`, [keyId, hashApiKey(key), displayPrefix(key)]);
        await sql(`insert into marketplace_publisher (id, name, api_key_id) values (?, ?, ?)`, [id, ctx.params.name, keyId]);
        return { id, name: ctx.params.name, key };
      },

      async registerKey(ctx: Context<{ publisherId: string; publicKey: string }>) {
        const key = parsePublicKey(ctx.params.publicKey);
        const fingerprint = keyFingerprint(key);
        await sql(`insert into marketplace_publisher_key (id, publisher_id, public_key, fingerprint) values (?, ?, ?, ?) on conflict (publisher_id, fingerprint) do nothing`,
          [crypto.randomUUID(), ctx.params.publisherId, publicKeyPem(key), fingerprint]);
        return { fingerprint, publicKey: publicKeyPem(key) };
      },

      async publish(ctx: Context<PublishParams>) {
        const { publisherId } = ctx.params;
        const bytes = Buffer.from(ctx.params.package, "base64");
        const integrity = integrityOf(bytes);
        const fingerprint = await signedBy(publisherId, integrity, ctx.params.signature);
        const files = await unpackPackage(bytes);
        const manifest = parseManifest(files["manifest.json"]!);
        const owner = await store.plugin(manifest.id);
        if (owner && owner.publisher_id !== publisherId) throw new ForbiddenError(MarketplaceErrorCode.pluginNotYours, `${manifest.id} belongs to another publisher`);
        if (owner && await store.version(manifest.id, manifest.version)) throw new ConflictError(MarketplaceErrorCode.versionExists, `${manifest.id}@${manifest.version} is published; versions never change, publish a new one`);
        for (const nodeType of manifest.nodeTypes) {
          if (baseNodeTypes.has(nodeType.type)) throw new ConflictError(FlowErrorCode.nodeTypeDuplicate, `Node type "${nodeType.type}" is built into the platform; choose another name`, { type: nodeType.type });
        }
        const bundle = files["bundle.mjs"]!.toString("utf8");
        if (!ctx.params.firstParty) await checkBundleLoads(ctx, publisherId, manifest, bundle);
        const packagePath = store.writePackage(manifest.id, manifest.version, bytes);
        const text = (file: "README.md" | "CHANGELOG.md") => files[file]?.toString("utf8").slice(0, 100_000) ?? "";
        if (!owner) {
          await sql(`insert into marketplace_plugin (id, publisher_id, description, category, kinds) values (?, ?, ?, ?, ?::jsonb) on conflict (id) do nothing`,
            [manifest.id, publisherId, manifest.description, manifest.category, JSON.stringify(manifest.kinds)]);
        } else {
          await sql(`update marketplace_plugin set description = ?, category = ?, kinds = ?::jsonb where id = ?`, [manifest.description, manifest.category, JSON.stringify(manifest.kinds), manifest.id]);
        }
        try {
          await sql(`insert into marketplace_plugin_version (plugin_id, version, manifest, readme, changelog, bundle, integrity, signature, key_fingerprint, package_path) values (?, ?, ?::json, ?, ?, ?, ?, ?, ?, ?)`,
            [manifest.id, manifest.version, JSON.stringify(manifest), text("README.md"), text("CHANGELOG.md"), bundle, integrity, ctx.params.signature, fingerprint, packagePath]);
        } catch (error) {
          // Two publishes of one version racing: the primary key lets one win.
          if (/duplicate key|unique/i.test(String((error as Error).message))) throw new ConflictError(MarketplaceErrorCode.versionExists, `${manifest.id}@${manifest.version} is published`);
          throw error;
        }
        await refreshLatest(manifest.id);
        return { id: manifest.id, version: manifest.version, integrity, keyFingerprint: fingerprint };
      },

      async yank(ctx: Context<{ publisherId: string; id: string; version: string }>) {
        const plugin = await store.plugin(ctx.params.id);
        if (!plugin || plugin.publisher_id !== ctx.params.publisherId) throw new NotFoundError(MarketplaceErrorCode.pluginNotFound, "Plugin");
        const found = await store.version(ctx.params.id, ctx.params.version);
        if (!found) throw new NotFoundError(MarketplaceErrorCode.versionNotFound, "Plugin version");
        await sql(`update marketplace_plugin_version set yanked_at = coalesce(yanked_at, now()) where plugin_id = ? and version = ?`, [ctx.params.id, ctx.params.version]);
        await refreshLatest(ctx.params.id);
        return { id: ctx.params.id, version: ctx.params.version, yanked: true };
      },

      async list(ctx: Context<{ q?: string; kind?: string; category?: string; page?: number }>) {
        const page = Math.max(1, ctx.params.page ?? 1);
        const where = ["p.latest_version is not null"];
        const params: unknown[] = [];
        if (ctx.params.q) {
          where.push(`(p.id ilike ? or p.description ilike ?)`);
          const like = `%${ctx.params.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          params.push(like, like);
        }
        if (ctx.params.kind) { where.push(`p.kinds @> ?::jsonb`); params.push(JSON.stringify([ctx.params.kind])); }
        if (ctx.params.category) { where.push(`p.category = ?`); params.push(ctx.params.category); }
        const rows = await sql<(Parameters<typeof pluginView>[0] & { total: string })[]>(
          `select p.*, pub.name as publisher_name, count(*) over () as total from marketplace_plugin p join marketplace_publisher pub on pub.id = p.publisher_id
           where ${where.join(" and ")} order by p.id limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`, params);
        return { plugins: rows.map(pluginView), page, pageSize: PAGE_SIZE, total: Number(rows[0]?.total ?? 0) };
      },

      /** A plugin with its latest version in full (README, changelog, capabilities in plain words, signature) and every version in brief. */
      async get(ctx: Context<{ id: string }>) {
        const plugin = await pluginWithPublisher(ctx.params.id);
        const versions = await store.versions(ctx.params.id);
        const latest = versions.find((v) => v.version === plugin.latest_version) ?? versions[0];
        return { ...pluginView(plugin), ...(latest ? versionView(latest, await signatureOf(plugin, latest)) : {}), versions: versions.map(versionSummary) };
      },

      /** One version in full: what an install of it asks for and takes (an upgrade's consent, the form of an older install). */
      async getVersion(ctx: Context<{ id: string; version: string }>) {
        const plugin = await pluginWithPublisher(ctx.params.id);
        const row = await store.version(ctx.params.id, ctx.params.version);
        if (!row) throw new NotFoundError(MarketplaceErrorCode.versionNotFound, "Plugin version");
        return { ...pluginView(plugin), ...versionView(row, await signatureOf(plugin, row)) };
      },

      /**
       * The package of one version for an install, checked again: the file's sha512 must be the
       * catalog's, the signature must verify with a key of the publisher, and the bundle in the
       * row must be the one in the file.
       */
      async verifiedPackage(ctx: Context<{ id: string; version?: string; allowYanked?: boolean }>): Promise<{ manifest: PluginManifest; version: string }> {
        const plugin = await store.plugin(ctx.params.id);
        if (!plugin) throw new NotFoundError(MarketplaceErrorCode.pluginNotFound, "Plugin");
        const version = ctx.params.version ?? plugin.latest_version;
        const row: VersionRow | undefined = version ? await store.version(ctx.params.id, version) : undefined;
        if (!row) throw new NotFoundError(MarketplaceErrorCode.versionNotFound, "Plugin version");
        if (row.yanked_at && !ctx.params.allowYanked) throw new ConflictError(MarketplaceErrorCode.versionYanked, `${row.plugin_id}@${row.version} was withdrawn by its publisher`);
        const bytes = store.readPackage(row.plugin_id, row.version);
        if (!bytes || integrityOf(bytes) !== row.integrity) throw new PlatformError(MarketplaceErrorCode.packageIntegrityMismatch, `The stored package of ${row.plugin_id}@${row.version} does not match its catalog integrity`, { status: 409, kind: "user" });
        if (!row.signature) throw new PlatformError(MarketplaceErrorCode.packageUnsigned, `${row.plugin_id}@${row.version} has no signature`, { status: 409, kind: "user" });
        const keys = await store.activeKeys(plugin.publisher_id);
        if (!keys.some((k) => verifyIntegrity(row.integrity, row.signature!, parsePublicKey(k.public_key)))) {
          throw new PlatformError(MarketplaceErrorCode.packageSignatureInvalid, `The signature of ${row.plugin_id}@${row.version} does not verify with its publisher's keys`, { status: 409, kind: "user" });
        }
        const files = await unpackPackage(bytes);
        if (files["bundle.mjs"]!.toString("utf8") !== row.bundle) throw new PlatformError(MarketplaceErrorCode.packageIntegrityMismatch, `The catalog's copy of ${row.plugin_id}@${row.version} differs from its package`, { status: 409, kind: "user" });
        return { manifest: row.manifest, version: row.version };
      },
    },
  };
}

/** Publishing runs the bundle once, in an isolate of the publisher, with no grants. */
async function checkBundleLoads(ctx: Context, publisherId: string, manifest: PluginManifest, bundle: string): Promise<void> {
  let described: unknown;
  try {
    const result = await ctx.call<{ value: unknown }, object>("sandbox.execute", { tenantId: `publisher:${publisherId}`, source: wrapBundle(bundle), entry: entries.describe, input: {}, grants: [] });
    described = result.value;
  } catch (error) {
    if (isPlatformError(error) && error.code.startsWith("SANDBOX_") && !error.retryable) {
      throw new ValidationError(MarketplaceErrorCode.bundleInvalid, `bundle.mjs does not load in the sandbox: ${error.message.slice(0, 300)}`, { file: "bundle.mjs", sandboxCode: error.code });
    }
    throw error;
  }
  checkDescribedBundle(manifest, described);
}
