/**
 * A bot's channels, its widget's look and the tenant's allowed domains, as the API serves them
 * (core/engine/inbox/channel-config.routes.ts, core/engine/bots/bot-widget.routes.ts,
 * core/kernel/tenancy/tenants.routes.ts), through the typed client.
 */
import { api, unwrap, type paths } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type BotChannel = Answer<"/v1/admin/bots/{botId}/channels", "get">["channels"][number];
export type CredentialCheck = Answer<"/v1/admin/bots/{botId}/channels/{channel}/check", "post">;
export type WidgetLook = Answer<"/v1/admin/bots/{botId}/widget", "get">;
export type WidgetInput = NonNullable<paths["/v1/admin/bots/{botId}/widget"]["put"]["requestBody"]>["content"]["application/json"];
export type Branding = WidgetInput["branding"];
export type Tenant = Answer<"/v1/admin/tenant", "get">;

const channelPath = (botId: string, channel: string) => ({ params: { path: { botId, channel } } });
const botPath = (botId: string) => ({ params: { path: { botId } } });

export const channelsApi = {
  ofBot: async (botId: string) => (await unwrap(api.GET("/v1/admin/bots/{botId}/channels", botPath(botId)))).channels,
  // The channel's own schema decides what the body holds; the server checks it (400 CHANNEL_CONFIG_INVALID).
  save: (botId: string, channel: string, config: Record<string, unknown>) => unwrap(api.PUT("/v1/admin/bots/{botId}/channels/{channel}", { ...channelPath(botId, channel), body: config })),
  check: (botId: string, channel: string, config: Record<string, unknown>) => unwrap(api.POST("/v1/admin/bots/{botId}/channels/{channel}/check", { ...channelPath(botId, channel), body: config })),
  remove: async (botId: string, channel: string) => { await unwrap(api.DELETE("/v1/admin/bots/{botId}/channels/{channel}", channelPath(botId, channel))); },
};

export const widgetApi = {
  get: (botId: string) => unwrap(api.GET("/v1/admin/bots/{botId}/widget", botPath(botId))),
  save: (botId: string, body: WidgetInput) => unwrap(api.PUT("/v1/admin/bots/{botId}/widget", { ...botPath(botId), body })),
};

export const tenantApi = {
  get: () => unwrap(api.GET("/v1/admin/tenant")),
  setAllowedDomains: (tenantId: string, allowedDomains: string[]) => unwrap(api.PATCH("/v1/admin/tenants/{tenantId}", { params: { path: { tenantId } }, body: { allowedDomains } })),
  /**
   * The widget key for the embed tag: the newest in use, as issued (widget keys are public, so the
   * platform keeps them), or only its first characters for a key issued before it kept them.
   */
  widgetKey: async (tenantId: string): Promise<{ key: string | null; prefix: string | null }> => {
    const { keys } = await unwrap(api.GET("/v1/admin/tenants/{tenantId}/keys", { params: { path: { tenantId } } }));
    const live = keys.filter((k) => k.kind === "widget" && k.revokedAt === null).reverse();
    const kept = live.find((k) => typeof k.key === "string");
    return { key: kept?.key ?? null, prefix: live[0]?.prefix ?? null };
  },
  /** A new widget key beside the others (sites using them keep working). */
  issueWidgetKey: (tenantId: string) => unwrap(api.POST("/v1/admin/tenants/{tenantId}/keys", { params: { path: { tenantId } }, body: { kind: "widget", rotate: false, label: "Embed tag" } })),
};

export const channelKeys = {
  ofBot: (botId: string) => ["bots", botId, "channels"] as const,
  widget: (botId: string) => ["bots", botId, "widget"] as const,
  tenant: ["tenant"] as const,
  widgetKey: (tenantId: string) => ["tenant", tenantId, "widget-key"] as const,
};
