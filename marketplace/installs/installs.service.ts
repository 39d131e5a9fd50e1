/**
 * The `marketplaceInstalls` service: what each tenant installed from the catalog, and the view of
 * it every node's flow runtime reads. Changes are broadcast as `marketplace.installs.changed`; each
 * node drops its view of that tenant and rebuilds it on the next turn, with no restart.
 *
 * Besides node types (marketplace-node-types.ts), installs provide tools (`tools`, `callTool`: for
 * agents and the flow's `tool` node) and CRM connectors (`crm`: for the `crm` service when the
 * tenant's connector is `marketplace`); both run in the sandbox with the tenant's grants, read from
 * the database on every call, so an install on another node is seen at once.
 *
 * Secrets given at install are stored as the tenant's secrets (sealed with the platform master key
 * by the secrets service), because that is where the sandbox fills `{{secret:name}}` from; the
 * install keeps only their names, and uninstalling removes them.
 */
import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../core/kernel/broker/platform-context.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../core/sdk/platform-error.ts";
import { grantRequested, type PluginManifest } from "../package/plugin-manifest.schema.ts";
import type { InstalledPlugin, MarketplaceNodeTypes, SandboxExecute } from "../runtime/marketplace-node-types.ts";
import { callInstalledCrm, callInstalledTool, toolsOf, type CrmAction } from "../runtime/marketplace-extensions.ts";
import { CrmErrorCode, crmConnectorActions, crmError } from "../../core/sdk/crm-contract.ts";
import { entries, kvPrefixOf, wrapBundle } from "../runtime/sandboxed-bundle.ts";
import { checkGrants, checkGrantsComplete, checkPluginConfig, checkSecrets } from "./plugin-config.check.ts";

export const MarketplaceEvents = { installsChanged: "marketplace.installs.changed" } as const;

export type InstallParams = { tenantId: string; plugin: string; version?: string; grants?: string[]; config?: Record<string, unknown>; secrets?: Record<string, string> };
export type UpdateParams = { tenantId: string; plugin: string; version?: string; enabled?: boolean; grants?: string[]; config?: Record<string, unknown>; secrets?: Record<string, string> };

type InstallRow = { tenant_id: string; plugin_id: string; version: string; previous_version: string | null; grants: string[]; config: Record<string, unknown>; secret_names: string[]; enabled: boolean; created_at: Date; updated_at: Date };

function view(row: InstallRow) {
  return {
    plugin: row.plugin_id, version: row.version, previousVersion: row.previous_version, enabled: row.enabled, grants: row.grants,
    config: row.config, secrets: row.secret_names, installedAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function createInstallsService(platform: PlatformContext, nodeTypes: MarketplaceNodeTypes): ServiceSchema {
  const sql = <T extends object = object[]>(text: string, params: unknown[] = []) => platform.db.orm.em.fork().getConnection().execute<T>(text, params);

  async function installed(tenantId: string, pluginId: string): Promise<InstallRow> {
    const row = (await sql<InstallRow[]>(`select * from marketplace_install where tenant_id = ? and plugin_id = ?`, [tenantId, pluginId]))[0];
    if (!row) throw new NotFoundError("PLUGIN_NOT_INSTALLED", "Installed plugin");
    return row;
  }

  /** Another install of the tenant must not provide the same node type name. */
  async function assertNoTypeClash(tenantId: string, manifest: PluginManifest): Promise<void> {
    const others = await sql<{ plugin_id: string; manifest: PluginManifest }[]>(
      `select i.plugin_id, v.manifest from marketplace_install i join marketplace_plugin_version v on v.plugin_id = i.plugin_id and v.version = i.version where i.tenant_id = ? and i.plugin_id <> ?`,
      [tenantId, manifest.id]);
    for (const other of others) {
      const clash = other.manifest.nodeTypes.find((n) => manifest.nodeTypes.some((m) => m.type === n.type));
      if (clash) throw new ConflictError("NODE_TYPE_DUPLICATE", `${other.plugin_id}, installed already, provides node type "${clash.type}" too`, { type: clash.type });
    }
  }

  /** A plugin's secrets may go to the hosts the tenant granted the plugin, and nowhere else. */
  async function storeSecrets(ctx: Context, tenantId: string, secrets: Readonly<Record<string, string>>, grants: readonly string[]): Promise<void> {
    const allowedHosts = grants.filter((g) => g.startsWith("http:")).map((g) => g.slice("http:".length).toLowerCase().replace(/:\d+$/, ""));
    for (const [name, value] of Object.entries(secrets)) await ctx.call("secrets.set", { tenantId, name, value, allowedHosts });
  }

  /** The tenant's enabled installs with their bundles, read fresh (an install on another node is seen at once). */
  async function enabledInstalls(tenantId: string): Promise<InstalledPlugin[]> {
    const rows = await sql<{ plugin_id: string; version: string; grants: string[]; config: Record<string, unknown>; bundle: string; manifest: PluginManifest }[]>(
      `select i.plugin_id, i.version, i.grants, i.config, v.bundle, v.manifest from marketplace_install i
       join marketplace_plugin_version v on v.plugin_id = i.plugin_id and v.version = i.version
       where i.tenant_id = ? and i.enabled order by i.plugin_id`, [tenantId]);
    return rows.map((r) => ({
      pluginId: r.plugin_id, version: r.version, grants: r.grants, config: r.config, bundle: r.bundle,
      nodeTypes: r.manifest.nodeTypes, kinds: r.manifest.kinds, tools: r.manifest.tools ?? [],
    }));
  }

  // A CRM write that failed half-way (its isolate reset by another run) is not sent again: the POST may have gone out.
  const executeFor = (ctx: Context, options: { retries?: number } = {}): SandboxExecute => (params) => ctx.call("sandbox.execute", params, options);

  function changed(ctx: Context, tenantId: string, pluginId: string): void {
    nodeTypes.invalidate(tenantId);
    void ctx.broadcast(MarketplaceEvents.installsChanged, { tenantId, plugin: pluginId });
  }

  return {
    name: "marketplaceInstalls",
    events: {
      [MarketplaceEvents.installsChanged](ctx: Context<{ tenantId: string }>) {
        nodeTypes.invalidate(ctx.params.tenantId);
      },
    },
    actions: {
      async install(ctx: Context<InstallParams>) {
        const { tenantId, plugin } = ctx.params;
        const existing = await sql<{ version: string }[]>(`select version from marketplace_install where tenant_id = ? and plugin_id = ?`, [tenantId, plugin]);
        if (existing[0]) throw new ConflictError("PLUGIN_ALREADY_INSTALLED", `${plugin}@${existing[0].version} is installed; change its version with PATCH`);
        const { manifest, version } = await ctx.call<{ manifest: PluginManifest; version: string }, object>("marketplace.verifiedPackage", { id: plugin, version: ctx.params.version });
        const grants = [...new Set(ctx.params.grants ?? [])];
        checkGrants(manifest, grants);
        const config = checkPluginConfig(manifest, ctx.params.config ?? {});
        const secrets = ctx.params.secrets ?? {};
        checkSecrets(manifest, secrets, grants);
        checkGrantsComplete(manifest, grants);
        await assertNoTypeClash(tenantId, manifest);
        await storeSecrets(ctx, tenantId, secrets, grants);
        try {
          await sql(`insert into marketplace_install (tenant_id, plugin_id, version, grants, config, secret_names) values (?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb)`,
            [tenantId, plugin, version, JSON.stringify(grants), JSON.stringify(config), JSON.stringify(Object.keys(secrets).sort())]);
        } catch (error) {
          if (/duplicate key|unique/i.test(String((error as Error).message))) throw new ConflictError("PLUGIN_ALREADY_INSTALLED", `${plugin} is installed`);
          throw error;
        }
        changed(ctx, tenantId, plugin);
        return view(await installed(tenantId, plugin));
      },

      /** `version` upgrades or rolls back (configuration carried over and checked again); `enabled` turns it off or on. */
      async update(ctx: Context<UpdateParams>) {
        const { tenantId, plugin } = ctx.params;
        const row = await installed(tenantId, plugin);
        const targetVersion = ctx.params.version ?? row.version;
        const { manifest: current } = await ctx.call<{ manifest: PluginManifest }, object>("marketplace.verifiedPackage", { id: plugin, version: row.version, allowYanked: true });
        const { manifest, version } = targetVersion === row.version
          ? { manifest: current, version: row.version }
          : await ctx.call<{ manifest: PluginManifest; version: string }, object>("marketplace.verifiedPackage", { id: plugin, version: targetVersion });
        // Grants carry over where the new version still asks for them; anything it newly asks for is granted again, explicitly.
        const given = ctx.params.grants;
        const grants = given ? [...new Set(given)] : row.grants.filter((g) => grantRequested(manifest.capabilities, g));
        checkGrants(manifest, grants);
        // `http:*` (hosts the tenant names) is answered by any http: grant.
        const missing = manifest.capabilities.filter((c) => !current.capabilities.includes(c) && (c === "http:*" ? !grants.some((g) => g.startsWith("http:")) : !grants.includes(c)));
        if (given === undefined && missing.length > 0) {
          throw new ConflictError("GRANTS_REQUIRED", `${plugin}@${version} asks for ${missing.join(", ")}, not granted before; send grants to consent to them`, { capabilities: missing });
        }
        const config = checkPluginConfig(manifest, ctx.params.config ?? row.config);
        const secrets = ctx.params.secrets ?? {};
        checkSecrets(manifest, secrets, grants);
        // Grants sent are a new consent, so they must be whole; grants carried over are left as they
        // were consented to (an install made before consent was all-or-nothing keeps working).
        if (given !== undefined) checkGrantsComplete(manifest, grants);
        if (version !== row.version) await assertNoTypeClash(tenantId, manifest);
        await storeSecrets(ctx, tenantId, secrets, grants);
        const secretNames = [...new Set([...row.secret_names, ...Object.keys(secrets)])].sort();
        await sql(`update marketplace_install set version = ?, previous_version = ?, grants = ?::jsonb, config = ?::jsonb, secret_names = ?::jsonb, enabled = ?, updated_at = now() where tenant_id = ? and plugin_id = ?`,
          [version, version === row.version ? row.previous_version : row.version, JSON.stringify(grants), JSON.stringify(config), JSON.stringify(secretNames), ctx.params.enabled ?? row.enabled, tenantId, plugin]);
        changed(ctx, tenantId, plugin);
        return view(await installed(tenantId, plugin));
      },

      /** Removes the install, its secrets and what it stored in kv. */
      async uninstall(ctx: Context<{ tenantId: string; plugin: string }>) {
        const { tenantId, plugin } = ctx.params;
        const row = await installed(tenantId, plugin);
        await sql(`delete from marketplace_install where tenant_id = ? and plugin_id = ?`, [tenantId, plugin]);
        changed(ctx, tenantId, plugin);
        for (const name of row.secret_names) await ctx.call("secrets.remove", { tenantId, name }).catch(() => undefined);
        const purge = { tenantId, source: wrapBundle("export const nodeTypes = {};"), entry: entries.purge, input: { kvPrefix: kvPrefixOf(plugin) }, grants: ["kv"] };
        let removed = 0;
        for (let round = 0; round < 200; round++) {
          const { value } = await ctx.call<{ value: { deleted: number } }, object>("sandbox.execute", purge);
          removed += value.deleted;
          if (value.deleted === 0) break;
        }
        return { plugin, uninstalled: true, keysRemoved: removed };
      },

      async list(ctx: Context<{ tenantId: string }>) {
        const rows = await sql<InstallRow[]>(`select * from marketplace_install where tenant_id = ? order by plugin_id`, [ctx.params.tenantId]);
        return rows.map(view);
      },

      /** For the flow runtime on any node: the tenant's enabled installs with their bundles. */
      async runtime(ctx: Context<{ tenantId: string }>): Promise<InstalledPlugin[]> {
        return enabledInstalls(ctx.params.tenantId);
      },

      /** The tools of the tenant's enabled installs, with their input schemas (for agents and the flow editor). */
      async tools(ctx: Context<{ tenantId: string }>) {
        return toolsOf(await enabledInstalls(ctx.params.tenantId));
      },

      /** Calls one tool of one of the tenant's installs; answers an MCP-style result, `isError` on failure. */
      async callTool(ctx: Context<{ tenantId: string; plugin: string; tool: string; args?: Record<string, unknown> }>) {
        const plugin = (await enabledInstalls(ctx.params.tenantId)).find((p) => p.pluginId === ctx.params.plugin);
        if (!plugin) throw new NotFoundError("PLUGIN_NOT_INSTALLED", "Installed plugin");
        return callInstalledTool(executeFor(ctx), ctx.params.tenantId, plugin, ctx.params.tool, ctx.params.args ?? {});
      },

      /** One CRM contract action of an installed connector (the `crm` service calls this for `connector: "marketplace"`). */
      async crm(ctx: Context<{ tenantId: string; plugin: string; action: string; params?: object }>) {
        const { tenantId, action } = ctx.params;
        if (!Object.hasOwn(crmConnectorActions, action)) throw crmError(CrmErrorCode.configInvalid, `No CRM action ${action.slice(0, 60)}`);
        const plugin = (await enabledInstalls(tenantId)).find((p) => p.pluginId === ctx.params.plugin);
        if (!plugin) throw crmError(CrmErrorCode.notConfigured, `${ctx.params.plugin} is not installed and enabled for this tenant`, { plugin: ctx.params.plugin });
        return callInstalledCrm(executeFor(ctx, { retries: 0 }), tenantId, plugin, action as CrmAction, ctx.params.params ?? {});
      },
    },
  };
}

export function assertPluginId(id: string): string {
  if (!/^@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*$/.test(id)) throw new ValidationError("PLUGIN_ID_INVALID", "A plugin id is a scoped name like @acme/pricing", { field: "plugin" });
  return id;
}
