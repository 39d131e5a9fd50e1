/**
 * The web channel: the embeddable chat widget (`/widget.js`), the branding it asks for
 * (`/v1/widget/config`), a demo page that embeds it and the preview page the console frames.
 *
 * The conversation itself goes through the platform's own chat API (`/v1/chat/sessions…`, in
 * core/engine/conversations/chat.routes.ts), not through a route of this plugin: that API is the
 * public contract of a conversation (the widget, the console's preview, any integrator's client
 * and `POST /chat` all speak it), with the session, CSRF and streaming rules of the engine, and it
 * names no vendor. The web is not a vendor to translate from: there is no webhook to verify, no
 * payload to parse and no reply to deliver through someone else's API, so the widget is a client
 * of that API, and this plugin only serves what a browser needs around it.
 */
import { definePlugin, implementPlugin, z } from "../../core/sdk/index.ts";
import { demoPage } from "./demo-page.ts";
import { previewPage } from "./preview-page.ts";
import { buildWidgetBundle, serveWidgetScript, type WidgetBundle } from "./widget-script.ts";
import { widgetConfig, widgetConfigSchema } from "./widget-config.ts";

const tags = ["web channel"];

export const definition = definePlugin({
  id: "@platform/web-channel",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["channel"],
  description: "Web chat: the embeddable widget script, its branding endpoint, a demo page and the console's preview page.",
});

// Built at start (esbuild, then brotli and gzip), not per request: the script is served on every
// page view of every tenant's site.
let bundle: WidgetBundle | undefined;

export default implementPlugin(definition, {
  async start() {
    bundle = await buildWidgetBundle();
  },
  routes: [
    {
      method: "GET",
      path: "/widget.js",
      schema: { operationId: "webWidgetScript", summary: "The embeddable chat widget (one script tag on any site)", tags, produces: ["application/javascript"], response: { 200: z.string().describe("JavaScript") } },
      handler: async (request) => serveWidgetScript(bundle ??= await buildWidgetBundle(), request),
    },
    {
      method: "GET", path: "/v1/widget/config", auth: "widget", handler: widgetConfig,
      schema: {
        operationId: "webWidgetConfig", summary: "A bot's widget branding, every default filled in (widget key; the page's origin must be among the tenant's domains)", tags,
        querystring: z.looseObject({ botId: z.string().optional().describe("The bot's id (a UUID)") }),
        response: { 200: widgetConfigSchema },
      },
    },
    {
      method: "GET", path: "/widget/preview", handler: previewPage,
      schema: {
        operationId: "webWidgetPreview", summary: "The widget in preview mode, drawn from the look its parent page posts (the console's live preview); calls nothing", tags,
        produces: ["text/html"],
        response: { 200: z.string().describe("HTML") },
      },
    },
    {
      method: "GET", path: "/demo", handler: demoPage,
      schema: {
        operationId: "webWidgetDemo", summary: "A page that embeds the widget as a tenant's site would", tags,
        querystring: z.looseObject({ key: z.string().optional().describe("A widget key (pk_…)"), bot: z.string().optional().describe("The bot's id") }),
        produces: ["text/html"],
        response: { 200: z.string().describe("HTML") },
      },
    },
  ],
});
