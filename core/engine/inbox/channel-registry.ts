import type { z } from "zod";
import { channelRoutePath, checksCredentials, isChannelModule, previewsTurns, type ChannelDefinition, type ResolvedBotChannel } from "../../sdk/channel.ts";
import type { PluginChange } from "../../kernel/plugin-host/plugin-host.ts";
import type { Logger } from "../../kernel/observability/logger.ts";

/** A channel plugin loaded on this node, as the inbox uses it. */
export type RegisteredChannel = {
  name: string;
  pluginId: string;
  /** The Moleculer service of its plugin: `parseInbound` and `deliver` are its actions. */
  serviceName: string;
  definition: ChannelDefinition;
  /** Configuration and secrets together: what the admin sends, checked strictly. */
  fullSchema: z.ZodObject;
  secretFields: readonly string[];
  /** Its plugin answers `checkCredentials` (asks the vendor whether a bot's credentials work). */
  checksCredentials: boolean;
  /** The operator settings, read once when the plugin is loaded. */
  settings: Record<string, unknown>;
  /** Its plugin can send to a user outside their turn (a `deliver` handler): a person's reply reaches them. */
  canDeliver: boolean;
  /** The surfaces its plugin previews a turn on (its `preview` action), by id; empty when it has none. */
  previews: Readonly<Record<string, { label: string; description?: string }>>;
};

/** A bot's channel as the pipeline uses it: its tenant, its config with secrets opened, and the operator settings. */
export type ResolvedChannel = ResolvedBotChannel;

export type ChannelRegistry = ReturnType<typeof createChannelRegistry>;

/**
 * The channels loaded on this node, following the plugin host: a channel plugin loaded (or
 * replaced) is registered under its channel name, an unloaded one is forgotten. Its operator
 * settings are read here, from the variables its definition names (`settings.env`), through
 * `variable`: the server hands the operator's environment in, a plugin never reads it itself.
 */
export function createChannelRegistry(variable: (name: string) => string | undefined, logger: Logger) {
  const channels = new Map<string, RegisteredChannel>();

  function register(pluginId: string, serviceName: string, definition: ChannelDefinition, canDeliver: boolean, checks: boolean, previews = false): void {
    const owner = [...channels.values()].find((c) => c.name === definition.name && c.pluginId !== pluginId);
    if (owner) {
      logger.error({ plugin: pluginId, channel: definition.name, code: "CHANNEL_NAME_TAKEN" }, `channel "${definition.name}" is already provided by ${owner.pluginId}; this one is not used`);
      return;
    }
    const given = Object.fromEntries(Object.entries(definition.settings?.env ?? {}).flatMap(([key, name]) => {
      const value = typeof name === "string" ? variable(name) : undefined;
      return value === undefined || value === "" ? [] : [[key, value]];
    }));
    const parsed = (definition.settings?.schema ?? null)?.safeParse(given);
    if (parsed && !parsed.success) {
      const env = definition.settings?.env as Record<string, string>;
      const problems = parsed.error.issues.map((i) => `${env[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join("; ");
      logger.error({ plugin: pluginId, channel: definition.name, code: "CHANNEL_SETTINGS_INVALID" }, `channel "${definition.name}" is not used: ${problems}`);
      return;
    }
    channels.set(definition.name, {
      name: definition.name, pluginId, serviceName, definition,
      fullSchema: definition.configSchema.extend(definition.secretsSchema.shape),
      secretFields: Object.keys(definition.secretsSchema.shape),
      checksCredentials: checks,
      settings: (parsed?.data as Record<string, unknown> | undefined) ?? {},
      canDeliver,
      previews: previews ? definition.previews ?? {} : {},
    });
  }

  return {
    get(name: string): RegisteredChannel | undefined {
      return channels.get(name);
    },
    list(): RegisteredChannel[] {
      return [...channels.values()];
    },
    /** Plugin host listener. */
    follow(change: PluginChange): void {
      const { plugin } = change;
      for (const [name, channel] of channels) if (channel.pluginId === plugin.id) channels.delete(name);
      if (change.type === "loaded" && isChannelModule(plugin.module)) {
        register(plugin.id, plugin.serviceName, plugin.module.channel, Boolean(plugin.module.definition.actions?.deliver), checksCredentials(plugin.module), previewsTurns(plugin.module));
      }
    },
  };
}

/** The URLs the admin gives the vendor, by the names the channel's routes declare (`webhook`). */
export function webhookUrls(channel: RegisteredChannel, botId: string, publicUrl: string | null): Record<string, string> {
  const base = publicUrl?.replace(/\/$/, "") ?? "";
  const declared = [...Object.values(channel.definition.routes), ...Object.values(channel.definition.sockets ?? {})];
  return Object.fromEntries(declared.flatMap((route) => route.webhook ? [[route.webhook, base + channelRoutePath(channel.definition, route.path).replace(":botId", botId)]] : []));
}
