import { ValidationError, z, type PluginHttpRequest, type PluginRouteContext } from "../../core/sdk/index.ts";

/** What the widget needs to draw itself; every field has a value, so the widget has no defaults of its own to drift. */
export const widgetConfigSchema = z.object({
  botId: z.string(),
  name: z.string(),
  branding: z.object({
    title: z.string(),
    primaryColor: z.string(),
    textColor: z.string(),
    position: z.enum(["bottom-right", "bottom-left"]),
    logoUrl: z.string().nullable(),
    avatarUrl: z.string().nullable().describe("The bot's picture beside its messages"),
    launcherText: z.string().nullable().describe("Words on the launcher beside its icon; an icon alone when null"),
  }),
  greeting: z.string().nullable(),
});
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

/** Only the part of `bots.get` the widget reads; the rest (draft flow, limits) must not reach a browser. */
const botSchema = z.object({
  id: z.string(),
  name: z.string(),
  config: z.object({
    branding: z.object({
      title: z.string().optional(),
      primaryColor: z.string().optional(),
      textColor: z.string().optional(),
      position: z.enum(["bottom-right", "bottom-left"]).optional(),
      logoUrl: z.string().optional(),
      avatarUrl: z.string().optional(),
      launcherText: z.string().optional(),
    }).optional(),
    greeting: z.string().optional(),
  }).optional(),
});

const botIdSchema = z.uuid();

export const WIDGET_DEFAULTS = { primaryColor: "#1a73e8", textColor: "#ffffff", position: "bottom-right" } as const;

/** `GET /v1/widget/config?botId=…` with a widget key: the bot's branding with defaults filled in. */
export async function widgetConfig(request: PluginHttpRequest, ctx: PluginRouteContext) {
  const botId = request.query.botId;
  if (!botId) throw new ValidationError("WIDGET_BOT_REQUIRED", "Name the bot: /v1/widget/config?botId=…");
  if (!botIdSchema.safeParse(botId).success) throw new ValidationError("WIDGET_BOT_INVALID", "botId must be a bot's id (a UUID)");
  // A bot of another tenant is NotFound in bots.get, and that 404 is what the browser should see.
  const bot = botSchema.parse(await ctx.call("bots.get", { tenantId: request.tenantId, botId }));
  const branding = bot.config?.branding ?? {};
  const body: WidgetConfig = {
    botId: bot.id,
    name: bot.name,
    branding: {
      title: branding.title ?? bot.name,
      primaryColor: branding.primaryColor ?? WIDGET_DEFAULTS.primaryColor,
      textColor: branding.textColor ?? WIDGET_DEFAULTS.textColor,
      position: branding.position ?? WIDGET_DEFAULTS.position,
      logoUrl: branding.logoUrl ?? null,
      avatarUrl: branding.avatarUrl ?? null,
      launcherText: branding.launcherText ?? null,
    },
    greeting: bot.config?.greeting ?? null,
  };
  // Branding changes rarely; a minute of staleness saves a round trip on every page view.
  return { headers: { "cache-control": "private, max-age=60" }, body };
}
