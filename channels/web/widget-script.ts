import { readFileSync } from "node:fs";

/**
 * The widget's sections, in the order they run. Each file adds functions to a shared `bp` object
 * that exists only inside the wrapper below, so the page sees no globals but the one handle the
 * widget sets on purpose (`window.BotPlatformWidget`), and no build step is needed.
 */
export const WIDGET_PARTS = ["styles.js", "dom.js", "messages.js", "api.js", "panel.js", "widget.js"] as const;

export function loadWidgetScript(): string {
  const parts = WIDGET_PARTS.map((name) => `// ---- ${name}\n${readFileSync(new URL(`./widget/${name}`, import.meta.url), "utf8")}`);
  return `/* Bot platform web chat widget. */\n(function () {\n"use strict";\nvar bp = {};\n${parts.join("\n")}\n})();\n`;
}
