import type { PluginHttpRequest } from "../../core/sdk/index.ts";

/**
 * `GET /widget/preview`: the page the console frames beside a bot's widget settings. It loads
 * /widget.js itself in preview mode (`data-preview`), so the preview is the widget's own markup
 * and stylesheet and cannot drift from what sites show; the console posts the unsaved look to it.
 * The page behind is a grey sketch of a site, so colours are judged against something.
 */
export function previewPage(request: PluginHttpRequest) {
  // The script's origin spelled out as well as 'self': the console frames this page in a sandbox
  // (an opaque origin), where browsers differ on what 'self' names.
  const origin = new URL(request.publicUrl).origin;
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Widget preview</title>
<style>
  html, body { margin: 0; height: 100%; }
  body { font: 14px/1.4 system-ui, sans-serif; background: #eef1f5; color: #3c4043; overflow: hidden; }
  .site { padding: 18px 20px; }
  .site p { margin: 0 0 14px; font-weight: 600; color: #5f6368; }
  .line { height: 10px; border-radius: 5px; background: #d6dbe2; margin: 0 0 10px; }
  .block { height: 90px; border-radius: 8px; background: #dfe3e9; margin: 16px 0; }
</style>
</head>
<body>
<div class="site" aria-hidden="true">
  <p>Your site</p>
  <div class="line" style="width: 70%"></div><div class="line" style="width: 52%"></div><div class="block"></div>
  <div class="line" style="width: 64%"></div><div class="line" style="width: 40%"></div>
</div>
<script src="/widget.js" data-preview></script>
</body>
</html>
`;
  return {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // Framed by the console on this origin only; it runs the widget and loads the avatar and logo.
      "content-security-policy": `default-src 'none'; script-src 'self' ${origin}; style-src 'unsafe-inline'; img-src http: https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`,
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    },
    body,
  };
}
