import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../broker/platform-context.ts";
import { PlatformSetting } from "../persistence/platform-setting.entity.ts";
import type { PluginHost } from "./plugin-host.ts";
import { describePlugin } from "../../sdk/define-plugin.ts";

/** Broadcast so that every node applies a runtime load or unload, not only the one that was asked. */
export const PluginEvents = { changeRequested: "plugins.change.requested", changed: "plugins.changed" } as const;

type ChangeRequest = { op: "load"; source: string } | { op: "unload"; id: string };

const RUNTIME_PLUGINS = "runtime_plugins";

/**
 * Cluster-wide plugin operations. The node that is asked applies the change, records it (so nodes
 * that start later load the same set), and broadcasts it; every other node applies it on its own.
 */
export function createPluginsService(platform: PlatformContext, host: PluginHost, startupSources: readonly string[] = []): ServiceSchema {
  const em = () => platform.db.orm.em.fork();

  async function remember(change: ChangeRequest): Promise<void> {
    const stored = await em().findOne(PlatformSetting, { key: RUNTIME_PLUGINS });
    const sources = new Map<string, string>(Object.entries((stored?.value as Record<string, string> | undefined) ?? {}));
    if (change.op === "load") {
      const plugin = host.list().find((p) => p.source === change.source);
      if (plugin) sources.set(plugin.id, change.source);
    } else sources.delete(change.id);
    await em().upsert(PlatformSetting, { key: RUNTIME_PLUGINS, value: Object.fromEntries(sources), updatedAt: new Date() });
  }

  async function apply(change: ChangeRequest) {
    if (change.op === "load") {
      const candidate = await host.load(change.source, { replace: true });
      return { id: candidate.id, version: candidate.version };
    }
    await host.unload(change.id);
    return { id: change.id };
  }

  return {
    name: "plugins",
    actions: {
      /** What this node has loaded; every node loads the same set. */
      list() {
        return host.list().map((p) => ({ id: p.id, version: p.version, kinds: p.definition.kinds, nodeTypes: p.nodeTypes, source: p.source, service: p.serviceName, loadedAt: p.loadedAt.toISOString() }));
      },
      /** The definitions (schemas as JSON Schema, secrets by name) of the loaded plugins among `ids`: what a settings form is drawn from. */
      definitions(ctx: Context<{ ids: string[] }>) {
        return host.list().filter((p) => ctx.params.ids.includes(p.id)).map((p) => describePlugin(p.definition));
      },
      async load(ctx: Context<{ source: string }>) {
        const result = await apply({ op: "load", source: ctx.params.source });
        await remember({ op: "load", source: ctx.params.source });
        ctx.broadcast(PluginEvents.changeRequested, { op: "load", source: ctx.params.source });
        return result;
      },
      async unload(ctx: Context<{ id: string }>) {
        const result = await apply({ op: "unload", id: ctx.params.id });
        await remember({ op: "unload", id: ctx.params.id });
        ctx.broadcast(PluginEvents.changeRequested, { op: "unload", id: ctx.params.id });
        return result;
      },
    },
    events: {
      async [PluginEvents.changeRequested](ctx: Context<ChangeRequest>) {
        if (ctx.nodeID === this.broker.nodeID) return;
        try {
          await apply(ctx.params);
        } catch (error) {
          platform.logger.error({ err: error, change: ctx.params }, "runtime plugin change failed on this node");
        }
      },
    },
    /** Loads the first-party and configured plugins, then what operators added at run time before this node started. */
    async started() {
      for (const source of startupSources) {
        await host.load(source).catch((error) => platform.logger.error({ err: { code: error.code, message: error.message }, source }, "plugin did not load"));
      }
      const stored = await em().findOne(PlatformSetting, { key: RUNTIME_PLUGINS });
      for (const source of Object.values((stored?.value as Record<string, string> | undefined) ?? {})) {
        await host.load(source, { replace: true }).catch((error) => platform.logger.error({ err: error, source }, "runtime plugin did not load"));
      }
    },
  };
}
