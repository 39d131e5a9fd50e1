/**
 * The web channel: the embeddable chat widget (`/widget.js`), the branding it asks for
 * (`/v1/widget/config`) and a demo page that embeds it. The conversation itself goes through the
 * gateway's chat API (`/v1/chat/sessions…`); this plugin only serves what a browser needs around it.
 */
import { definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { demoPage } from "./demo-page.ts";
import { buildWidgetBundle, serveWidgetScript, type WidgetBundle } from "./widget-script.ts";
import { widgetConfig } from "./widget-config.ts";

export const definition = definePlugin({
  id: "@platform/web-channel",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["channel"],
  description: "Web chat: the embeddable widget script, its branding endpoint and a demo page.",
});

// Built at start (esbuild, then brotli and gzip), not per request: the script is served on every
// page view of every tenant's site.
let bundle: WidgetBundle | undefined;

export default implementPlugin(definition, {
  async start() {
    bundle = await buildWidgetBundle();
  },
  routes: [
    { method: "GET", path: "/widget.js", handler: async (request) => serveWidgetScript(bundle ??= await buildWidgetBundle(), request) },
    { method: "GET", path: "/v1/widget/config", auth: "widget", handler: widgetConfig },
    { method: "GET", path: "/demo", handler: demoPage },
  ],
});
