import type { Service, ServiceBroker, ServiceSchema, Context } from "moleculer";
import { describePlugin, type PluginDefinition } from "../../sdk/define-plugin.ts";
import type { ActionContext, PluginModule } from "../../sdk/implement-plugin.ts";
import type { SafeFetchInit } from "../../sdk/node-type.ts";
import { PlatformError, PlatformErrorCode, ValidationError, isPlatformError } from "../../sdk/platform-error.ts";
import type { Logger } from "../observability/logger.ts";
import { checkPlugin, type LoadedPluginInfo } from "./load-checklist.ts";
import { PluginLoadCode, PluginLoadError } from "./plugin-load-error.ts";
import { importPluginSource } from "./plugin-source.ts";
import { safeFetch, type SafeFetchPolicy } from "../net/safe-fetch.ts";
import { openStreamSink } from "../broker/turn-stream.ts";

/**
 * What a caller may hand a plugin action besides its params, in `ctx.meta`: the tenant's
 * configuration of the plugin and its decrypted credentials (the `crm` service does, for CRM
 * connectors). They reach the handler as `ctx.config` / `ctx.secrets` for that call only.
 */
export type PluginCallMeta = { tenantId?: string; pluginConfig?: unknown; pluginSecrets?: Record<string, string>; stream?: unknown };

export type LoadedPlugin = LoadedPluginInfo & {
  source: string;
  definition: PluginDefinition;
  module: PluginModule;
  serviceName: string;
  loadedAt: Date;
};

export type PluginChange = { type: "loaded" | "unloaded"; plugin: LoadedPlugin; replaced?: LoadedPlugin };

/**
 * `call` and `emit` for an action called for a tenant: the tenant is forced, and the plugin's
 * configuration and credentials stay with this call (they are not handed on in the meta).
 */
function tenantScoped(ctx: Context<unknown, PluginCallMeta>): Pick<ActionContext, "call" | "emit"> {
  const tenantId = ctx.meta.tenantId;
  if (!tenantId) return {};
  return {
    call: <T>(action: string, params: Record<string, unknown>) => ctx.call<T, object>(action, { ...params, tenantId }, { meta: { pluginConfig: undefined, pluginSecrets: undefined } }),
    emit: (event, payload) => void ctx.emit(event, { ...payload, tenantId }),
  };
}

/** `file:line:column` of the first frame of an error's stack in a source file (the plugin's), relative to `root`. */
export function sourcePositionOf(error: unknown, root: string): string | undefined {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  for (const match of stack.matchAll(/\(?(file:\/\/[^\s()]+?|\/[^\s()]+?):(\d+):(\d+)\)?$/gm)) {
    const file = match[1]!.replace(/^file:\/\//, "");
    if (file.includes("/node_modules/") || file.includes("/core/kernel/")) continue;
    return `${file.startsWith(root + "/") ? file.slice(root.length + 1) : file}:${match[2]}:${match[3]}`;
  }
  return undefined;
}

/** The Moleculer service name of a plugin: `@acme/hubspot` → `plugin.acme.hubspot`. */
export function pluginServiceName(id: string): string {
  return "plugin." + id.replace(/^@/, "").replace(/\//g, ".");
}

/**
 * The plugins loaded on this node. Each one runs as its own Moleculer service, so its actions are
 * callable from any node; listeners (the flow runtime's node-type registry) follow every change.
 */
export class PluginHost {
  readonly #plugins = new Map<string, LoadedPlugin>();
  readonly #listeners: ((change: PluginChange) => void)[] = [];
  readonly #services = new Map<string, Service>();
  readonly #broker: ServiceBroker;
  readonly #root: string;
  readonly #logger: Logger;
  readonly #fetchPolicy: SafeFetchPolicy;

  constructor(broker: ServiceBroker, root: string, logger: Logger, options: { fetchPolicy?: SafeFetchPolicy } = {}) {
    this.#broker = broker;
    this.#root = root;
    this.#logger = logger;
    this.#fetchPolicy = options.fetchPolicy ?? {};
  }

  list(): LoadedPlugin[] {
    return [...this.#plugins.values()];
  }

  get(id: string): LoadedPlugin | undefined {
    return this.#plugins.get(id);
  }

  onChange(listener: (change: PluginChange) => void): void {
    this.#listeners.push(listener);
    for (const plugin of this.#plugins.values()) listener({ type: "loaded", plugin });
  }

  /** Imports, checks and starts a plugin; replaces a loaded one of the same id when `replace` is set. */
  async load(source: string, options: { replace?: boolean } = {}): Promise<LoadedPlugin> {
    const candidate = await importPluginSource(source, this.#root);
    return this.register(candidate, source, options);
  }

  /** Same as `load` for a module already in hand (tests, plugins bundled with the host). */
  async register(candidate: unknown, source: string, options: { replace?: boolean } = {}): Promise<LoadedPlugin> {
    const module = checkPlugin(candidate, this.#plugins, { replacing: options.replace });
    const { definition } = module;
    const previous = this.#plugins.get(definition.id);
    const plugin: LoadedPlugin = {
      id: definition.id,
      version: definition.version,
      nodeTypes: (definition.nodeTypes ?? []).map((n) => n.type),
      source,
      definition,
      module,
      serviceName: pluginServiceName(definition.id),
      loadedAt: new Date(),
    };
    if (previous) await this.#stopService(previous);
    try {
      const service = this.#broker.createService(this.#serviceSchema(plugin));
      this.#services.set(plugin.id, service);
      // A short poll interval: the default (1 s) would add a second to every plugin load.
      await this.#broker.waitForServices([plugin.serviceName], 5000, 10);
    } catch (error) {
      this.#plugins.delete(definition.id);
      throw new PluginLoadError(PluginLoadCode.startFailed, definition.id, (error as Error).message);
    }
    this.#plugins.set(plugin.id, plugin);
    this.#logger.info({ plugin: plugin.id, version: plugin.version, replaced: previous?.version }, previous ? "plugin replaced" : "plugin loaded");
    this.#emit({ type: "loaded", plugin, replaced: previous });
    return plugin;
  }

  async unload(id: string): Promise<void> {
    const plugin = this.#plugins.get(id);
    if (!plugin) throw new PluginLoadError(PluginLoadCode.notLoaded, id, "it is not loaded on this node");
    const dependents = this.list().filter((p) => Object.keys(p.definition.dependencies ?? {}).includes(id));
    if (dependents.length > 0) throw new ValidationError("PLUGIN_IN_USE", `${id} is needed by ${dependents.map((p) => p.id).join(", ")}`, { plugin: id });
    await this.#stopService(plugin);
    this.#plugins.delete(id);
    this.#logger.info({ plugin: id }, "plugin unloaded");
    this.#emit({ type: "unloaded", plugin });
  }

  async unloadAll(): Promise<void> {
    for (const plugin of this.list().reverse()) await this.#stopService(plugin).catch(() => {});
    this.#plugins.clear();
  }

  #emit(change: PluginChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#logger.error({ err: error, plugin: change.plugin.id }, "plugin listener failed");
      }
    }
  }

  async #stopService(plugin: LoadedPlugin): Promise<void> {
    const service = this.#services.get(plugin.id);
    this.#services.delete(plugin.id);
    if (service) await this.#broker.destroyService(service);
  }

  #serviceSchema(plugin: LoadedPlugin): ServiceSchema {
    const { definition, implementation } = plugin.module;
    const logger = this.#logger.child({ plugin: plugin.id });
    const fetchPolicy = this.#fetchPolicy;
    const broker = this.#broker;
    const actions: ServiceSchema["actions"] = {
      describe: () => describePlugin(definition),
    };
    // Tools are actions too in process (`plugin.<scope>.<name>.<tool>`), with the same ctx as in the sandbox.
    const handlers = [
      ...Object.entries(definition.actions ?? {}).map(([name, spec]) => [name, spec, (implementation.actions as Record<string, (p: unknown, c: unknown) => unknown>)[name]!] as const),
      ...Object.entries(definition.tools ?? {}).map(([name, spec]) => [name, spec, (implementation.tools as Record<string, (p: unknown, c: unknown) => unknown>)[name]!] as const),
    ];
    for (const [name, spec, handler] of handlers) {
      actions[name] = async (ctx: Context<unknown, PluginCallMeta>) => {
        const parsed = spec.params.safeParse(ctx.params);
        if (!parsed.success) {
          throw new ValidationError(PlatformErrorCode.validationFailed, parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; "), { plugin: plugin.id, action: name });
        }
        // `meta.stream` (see conversations/turn-stream.ts): the caller shows this call's output live.
        const sink = openStreamSink(broker, ctx.meta.stream);
        try {
          return await handler(parsed.data, {
            tenantId: ctx.meta.tenantId, config: ctx.meta.pluginConfig, secrets: ctx.meta.pluginSecrets ?? {},
            log: (message: string, data?: Record<string, unknown>) => logger.info(data ?? {}, message),
            fetch: (url: string, init?: SafeFetchInit) => safeFetch(url, init, fetchPolicy),
            ...tenantScoped(ctx),
            ...(sink ? { stream: { delta: (text: string) => sink.delta(text) } } : {}),
          });
        } catch (error) {
          if (isPlatformError(error)) throw error;
          logger.error({ err: error, action: name }, "plugin action failed");
          // The plugin's own bug: name it, with its own message and where it was thrown, for whoever reads the failure.
          const at = sourcePositionOf(error, this.#root);
          const what = error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error).slice(0, 300);
          throw new PlatformError("PLUGIN_ACTION_FAILED", `${plugin.id} failed while handling ${name}: ${what}${at ? ` (at ${at})` : ""}`, { status: 502, kind: "internal", data: { plugin: plugin.id, ...(at ? { at } : {}) } });
        } finally {
          // Streamed text reaches the watcher before the result reaches the caller.
          await sink?.flush();
        }
      };
    }
    return {
      name: plugin.serviceName,
      metadata: { pluginId: plugin.id, pluginVersion: plugin.version },
      actions,
      async started() {
        await implementation.start?.();
      },
      async stopped() {
        await implementation.stop?.();
      },
    };
  }
}
