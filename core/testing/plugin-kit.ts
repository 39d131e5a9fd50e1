/**
 * The test kit plugin authors get, the one the platform's own tests use:
 *
 * - `runNode(plugin, type, { content, vars })`: one node type's handler with real templates,
 *   variables and validation; `createTestEngine({ modules, flow })`: a whole flow in memory.
 * - `createTestBroker({ plugins | folders, secrets, config })`: a local Moleculer broker (no
 *   transporter) with the plugin loaded as the platform loads it, to call its actions and tools.
 *   `plugins` are SDK modules (`implementPlugin`), run in process; `folders` are plugin folders
 *   (their `plugin.ts`, bundled as `bp-plugin pack` does), run in a real sandbox with the same
 *   isolates, limits and grants as on the platform. The same definePlugin module can be given
 *   both ways: trusted in process, or tenant-installed in the sandbox.
 * - `fakeSecrets({ name: value })`: secrets for either, recording which names the plugin read.
 *
 *   const secrets = fakeSecrets({ api_token: "t0k3n" });
 *   const kit = await createTestBroker({ folders: ["./rest-crm"], secrets, config: { base_url: fake.url } });
 *   const contact = await kit.crm("createContact", { contact: { email: "ada@example.com", fields: {} } });
 *   assert.deepEqual(secrets.read, ["api_token"]);
 *   await kit.stop();
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ServiceBroker, type Context, type ServiceSchema } from "moleculer";
import { createLogger } from "../kernel/observability/logger.ts";
import { PluginHost, pluginServiceName, type PluginCallMeta } from "../kernel/plugin-host/plugin-host.ts";
import { createMemoryKeyValueStore, createSandbox, type Sandbox } from "../../sandbox/index.ts";
import { parseManifest, type PluginManifest } from "../../marketplace/package/plugin-manifest.schema.ts";
import { checkGrants, checkPluginConfig } from "../../marketplace/installs/plugin-config.check.ts";
import { callInstalledCrm, callInstalledTool, type CrmAction, type ToolResult } from "../../marketplace/runtime/marketplace-extensions.ts";
import type { InstalledPlugin, SandboxExecute } from "../../marketplace/runtime/marketplace-node-types.ts";
import { entries, kvPrefixOf, requestFor, wrapBundle } from "../../marketplace/runtime/sandboxed-bundle.ts";
import { withSourcePosition } from "../../marketplace/runtime/plugin-failure.ts";
import { buildPlugin, pluginEntryOf } from "../../marketplace/package/plugin-build.ts";

export { createTestEngine, runNode, type RunNodeOptions, type RunNodeOutcome } from "./flow-kit.ts";

export type FakeSecrets = {
  readonly values: Readonly<Record<string, string>>;
  /** Names the plugin read, in order (once each). */
  readonly read: string[];
  resolve(name: string): string | undefined;
  /** The values as an SDK action's `ctx.secrets`; reading one records its name. */
  asRecord(): Record<string, string>;
};

/** Secrets for a test: handed to SDK actions as `ctx.secrets`, and filled into `{{secret:name}}` in the sandbox. */
export function fakeSecrets(values: Record<string, string> = {}): FakeSecrets {
  const read: string[] = [];
  const resolveName = (name: string) => {
    if (!read.includes(name)) read.push(name);
    return Object.hasOwn(values, name) ? values[name] : undefined;
  };
  return {
    values: Object.freeze({ ...values }),
    read,
    resolve: resolveName,
    asRecord: () => new Proxy({ ...values }, { get: (target, name) => (typeof name === "string" && Object.hasOwn(target, name) ? resolveName(name) : undefined) }),
  };
}

export type TestBrokerOptions = {
  /** SDK plugin modules (`export default implementPlugin(...)`), loaded through the platform's load checklist. */
  plugins?: readonly unknown[];
  /** Plugin folders holding a definePlugin file (`plugin.ts`), or a first-format package (manifest.json and bundle.mjs). */
  folders?: readonly string[];
  /** The tenant every call runs for; default `tenant-test`. */
  tenantId?: string;
  /** The tenant's configuration of the plugin (one plugin), or by plugin id (several). */
  config?: Record<string, unknown>;
  secrets?: FakeSecrets | Record<string, string>;
  /** What the tenant grants a folder plugin; default every capability it asks for except `http:*`. Add `http:<host>` for a fake server. */
  grants?: readonly string[];
  /** Loopback fakes are private addresses; default true here (the platform's default is false). */
  allowPrivateNetworks?: boolean;
};

export type TestBroker = {
  broker: ServiceBroker;
  tenantId: string;
  /** Calls an action with the tenant, configuration and secrets in `meta`, as the platform does. */
  call<T = unknown>(action: string, params?: object): Promise<T>;
  /** A folder plugin's node type; `content` is given as the flow would render it. Answers `{ vars?, messages?, next? }`. */
  runNode(type: string, content: unknown): Promise<{ vars?: Record<string, unknown>; messages?: { type: string; text: string }[]; next?: string }>;
  /** A folder plugin's tool, checked against its input schema; answers MCP-style. */
  callTool(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  /** A folder plugin's CRM contract action, its answer checked against the contract. */
  crm(action: CrmAction, params: object): Promise<unknown>;
  /** What the plugin stored in kv, by its own keys. */
  kv(): Promise<Record<string, unknown>>;
  /** Lines a folder plugin wrote with `ctx.log` or `console.*`, in order, across its runs. */
  logs: string[];
  stop(): Promise<void>;
};

type Loaded = { manifest: PluginManifest; installed: InstalledPlugin };

function configFor(options: TestBrokerOptions, id: string, count: number): Record<string, unknown> {
  const config = options.config ?? {};
  if (Object.hasOwn(config, id)) return config[id] as Record<string, unknown>;
  return count === 1 ? config : {};
}

export async function createTestBroker(options: TestBrokerOptions): Promise<TestBroker> {
  const tenantId = options.tenantId ?? "tenant-test";
  const secrets = options.secrets && typeof (options.secrets as FakeSecrets).resolve === "function" ? (options.secrets as FakeSecrets) : fakeSecrets((options.secrets ?? {}) as Record<string, string>);
  const broker = new ServiceBroker({ nodeID: `test-broker-${process.pid}`, logger: false, transporter: null });
  const logger = createLogger("silent");
  const host = new PluginHost(broker, process.cwd(), logger, { fetchPolicy: { allowPrivateNetworks: options.allowPrivateNetworks ?? true } });
  const count = (options.plugins?.length ?? 0) + (options.folders?.length ?? 0);
  const kv = createMemoryKeyValueStore();
  let sandbox: Sandbox | undefined;
  const loaded: Loaded[] = [];
  let metaConfig: Record<string, unknown> = {};

  try {
    await broker.start();
    for (const [index, module] of (options.plugins ?? []).entries()) {
      const plugin = await host.register(module, `test:${index}`);
      metaConfig = configFor(options, plugin.id, count);
    }
    if (options.folders?.length) {
      sandbox = createSandbox({ workers: 1, kv, resolveSecret: (_tenant, name) => secrets.resolve(name), fetchPolicy: { allowPrivateNetworks: options.allowPrivateNetworks ?? true } });
      for (const folder of options.folders) {
        const dir = resolve(folder);
        const built = pluginEntryOf(dir) ? await buildPlugin(dir) : undefined;
        const manifest = built?.manifest ?? parseManifest(readFileSync(join(dir, "manifest.json")));
        const grants = options.grants ? [...options.grants] : manifest.capabilities.filter((c) => c !== "http:*");
        // The same checks as an install: grants among what it asks for, configuration valid for its schema.
        checkGrants(manifest, grants);
        const installed: InstalledPlugin = {
          pluginId: manifest.id, version: manifest.version, grants, config: checkPluginConfig(manifest, configFor(options, manifest.id, count)),
          bundle: built?.bundle ?? readFileSync(join(dir, "bundle.mjs"), "utf8"), nodeTypes: manifest.nodeTypes, kinds: manifest.kinds, tools: manifest.tools,
        };
        loaded.push({ manifest, installed });
        broker.createService(bundleService(installed, () => execute));
      }
      await broker.waitForServices(loaded.map((l) => pluginServiceName(l.manifest.id)), 5000, 10);
    }
  } catch (error) {
    await sandbox?.close();
    await broker.stop();
    throw error;
  }

  const logs: string[] = [];
  const execute: SandboxExecute = async (params) => {
    if (!sandbox) throw new Error("No folder plugin is loaded in this test broker");
    try {
      const result = await sandbox.run(params);
      logs.push(...result.logs);
      return result;
    } catch (error) {
      // What the plugin logged before it failed is kept with the failure; the kit's log has it too.
      const failed = (error as { data?: { logs?: unknown } }).data?.logs;
      if (Array.isArray(failed)) logs.push(...failed.map(String));
      throw error;
    }
  };
  const only = (what: string): InstalledPlugin => {
    if (loaded.length !== 1) throw new Error(`${what} needs exactly one folder plugin; call its action through call() instead`);
    return loaded[0]!.installed;
  };

  return {
    broker,
    tenantId,
    logs,
    call(action, params = {}) {
      const meta: PluginCallMeta = { tenantId, pluginConfig: metaConfig, pluginSecrets: secrets.asRecord() };
      return broker.call(action, params, { meta });
    },
    async runNode(type, content) {
      const plugin = only("runNode");
      const input = requestFor(plugin, { type, tenantId, botId: "bot-test", sessionId: "session-test", nodeId: "node-under-test", input: { content, config: plugin.config, idempotencyKey: "session-test:node-under-test:0" } });
      try {
        const { value } = await execute({ tenantId, source: wrapBundle(plugin.bundle), entry: entries.nodeType, grants: plugin.grants, input });
        return value as Awaited<ReturnType<TestBroker["runNode"]>>;
      } catch (error) {
        throw withSourcePosition(error, plugin.bundle);
      }
    },
    callTool(name, args = {}) {
      return callInstalledTool(execute, tenantId, only("callTool"), name, args);
    },
    crm(action, params) {
      return callInstalledCrm(execute, tenantId, only("crm"), action, params);
    },
    async kv() {
      const out: Record<string, unknown> = {};
      for (const { installed } of loaded) {
        const prefix = kvPrefixOf(installed.pluginId);
        for (const key of await kv.list(tenantId, prefix)) out[key.slice(prefix.length)] = await kv.get(tenantId, key);
      }
      return out;
    },
    async stop() {
      await host.unloadAll();
      await broker.stop();
      await sandbox?.close();
    },
  };
}

/** A folder plugin as a Moleculer service: one action per tool and CRM action, like an SDK plugin's actions. */
function bundleService(plugin: InstalledPlugin, execute: () => SandboxExecute): ServiceSchema {
  const actions: ServiceSchema["actions"] = {};
  for (const tool of plugin.tools ?? []) {
    actions[tool.name] = (ctx: Context<Record<string, unknown>, PluginCallMeta>) => callInstalledTool(execute(), ctx.meta.tenantId ?? "tenant-test", plugin, tool.name, ctx.params);
  }
  if ((plugin.kinds ?? []).includes("crm")) {
    for (const action of ["searchContacts", "getContact", "createContact", "updateContact", "findDeals", "createDeal", "moveDeal", "addNote", "listPipelines"] as const) {
      actions[action] = (ctx: Context<object, PluginCallMeta>) => callInstalledCrm(execute(), ctx.meta.tenantId ?? "tenant-test", plugin, action, ctx.params);
    }
  }
  return { name: pluginServiceName(plugin.pluginId), metadata: { pluginId: plugin.pluginId, pluginVersion: plugin.version }, actions };
}
