import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { WIDGET_LOOK_DEFAULTS, widgetBrandingSchema, type BotConfig } from "./bot-config.ts";
import type { BotView } from "./bots.service.ts";

const botParams = z.strictObject({ botId: z.uuid() });
const greeting = z.string().trim().max(500);

const widgetView = z.looseObject({
  botId: z.uuid(),
  name: z.string().describe("The bot's name (the title when the branding names none)"),
  branding: z.record(z.string(), z.unknown()).describe("The bot's branding as stored: a field left out takes the default"),
  greeting: z.string().nullable().describe("The widget's first message, shown before the conversation starts"),
  defaults: z.looseObject({ title: z.string(), primaryColor: z.string(), textColor: z.string(), position: z.string() }).describe("What the widget draws where the branding says nothing"),
  scriptUrl: z.string().describe("The widget script's URL for the embed tag (on PUBLIC_URL when the operator set it)"),
});

function widgetOf(bot: BotView, base: string) {
  const config: BotConfig = bot.config ?? {};
  return {
    botId: bot.id, name: bot.name, branding: config.branding ?? {}, greeting: config.greeting ?? null,
    defaults: { title: bot.name, ...WIDGET_LOOK_DEFAULTS },
    scriptUrl: `${base.replace(/\/$/, "")}/widget.js`,
  };
}

/**
 * The web widget's look for one bot (CONSOLE.md: the widget is the admin's, like the channels):
 * its branding and greeting, read and replaced without touching the rest of the bot's configuration.
 * The widget reads them through GET /v1/widget/config (channels/web).
 */
export const botWidgetRoutes: RouteModule = (app, { broker, platform }) => {
  const tags = ["widget"];
  const auth = { auth: "tenant-admin" as const };
  const base = (request: FastifyRequest) => platform.config.PUBLIC_URL ?? `${request.protocol}://${request.host}`;

  app.get("/v1/admin/bots/:botId/widget", { config: auth, schema: { tags, params: botParams, summary: "The bot's widget look: branding, greeting, and the defaults for what they leave out", response: { 200: widgetView } } },
    async (request) => widgetOf(await broker.call<BotView, object>("bots.get", { tenantId: requireTenant(request).tenantId, botId: request.params.botId }), base(request)));

  app.put("/v1/admin/bots/:botId/widget", {
    config: auth,
    schema: {
      tags, params: botParams, summary: "Replace the bot's widget look (branding and greeting); sites show it within a minute (the widget's configuration is cached that long)",
      body: z.strictObject({
        branding: widgetBrandingSchema,
        greeting: greeting.nullable().optional().describe("The first message; null or empty: none"),
      }),
      response: { 200: widgetView },
    },
  }, async (request) => {
    const said = request.body.greeting?.trim();
    const bot = await broker.call<BotView, object>("bots.setWidget", { tenantId: requireTenant(request).tenantId, botId: request.params.botId, branding: request.body.branding, greeting: said ? said : null });
    return widgetOf(bot, base(request));
  });
};
