/**
 * The web channel: the embeddable chat widget (`/widget.js`), the branding it asks for
 * (`/v1/widget/config`) and a demo page that embeds it. The conversation itself goes through the
 * gateway's chat API (`/v1/chat/sessions…`); this plugin only serves what a browser needs around it.
 */
import { definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { demoPage } from "./demo-page.ts";
import { loadWidgetScript } from "./widget-script.ts";
import { widgetConfig } from "./widget-config.ts";

export const definition = definePlugin({
  id: "@platform/web-channel",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["channel"],
  description: "Web chat: the embeddable widget script, its branding endpoint and a demo page.",
});

// Read at start, not per request: the script is served on every page view of every tenant's site.
let script = "";

export default implementPlugin(definition, {
  start() {
    script = loadWidgetScript();
  },
  routes: [
    {
      method: "GET",
      path: "/widget.js",
      handler: () => ({
        headers: {
          "content-type": "application/javascript; charset=utf-8",
          // Short, so a new widget reaches every site within minutes without versioned URLs.
          "cache-control": "public, max-age=300",
          "x-content-type-options": "nosniff",
          // Any site may load the script; what it may then do is decided per call by the widget key.
          "cross-origin-resource-policy": "cross-origin",
        },
        body: script,
      }),
    },
    { method: "GET", path: "/v1/widget/config", auth: "widget", handler: widgetConfig },
    { method: "GET", path: "/demo", handler: demoPage },
  ],
});
