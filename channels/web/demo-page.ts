import type { PluginHttpRequest } from "../../core/sdk/index.ts";

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}

/**
 * `GET /demo?key=pk_…&bot=…`: a page that embeds the widget exactly as a tenant's site would,
 * printed at first start so a new operator can try the demo bot in a browser at once.
 */
export function demoPage(request: PluginHttpRequest) {
  const key = request.query.key ?? "";
  const bot = request.query.bot ?? "";
  const embed = key && bot
    ? `<script src="/widget.js" data-key="${escapeHtml(key)}" data-bot="${escapeHtml(bot)}" async></script>`
    : `<p class="hint">Add <code>?key=pk_…&amp;bot=…</code> to this page's address to load a bot.</p>`;
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat widget demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; padding: 3rem 1.5rem; color: #202124; background: #f8f9fa; }
  main { max-width: 40rem; margin: 0 auto; }
  code { background: #e8eaed; padding: 0.1rem 0.3rem; border-radius: 4px; }
  .hint { color: #5f6368; }
</style>
</head>
<body>
<main>
<h1>Chat widget demo</h1>
<p>This page embeds the web chat widget with one script tag, as any site would:</p>
<pre><code>${escapeHtml(`<script src="${request.publicUrl.replace(/\/demo.*$/, "")}/widget.js" data-key="${key || "pk_…"}" data-bot="${bot || "…"}"></script>`)}</code></pre>
<p>Open the chat with the button in the corner.</p>
</main>
${embed}
</body>
</html>
`;
  return {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // The page itself runs nothing but the widget; logos may come from any https site.
      "content-security-policy": "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
      "referrer-policy": "no-referrer",
    },
    body,
  };
}
