import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { transform } from "esbuild";
import type { PluginHttpRequest, PluginHttpResponse } from "../../core/sdk/index.ts";

/**
 * The widget's sections, in the order they run. Each file adds functions to a shared `bp` object
 * that exists only inside the wrapper below, so the page sees no globals but the one handle the
 * widget sets on purpose (`window.BotPlatformWidget`).
 */
export const WIDGET_PARTS = ["styles.js", "dom.js", "messages.js", "api.js", "panel.js", "preview.js", "widget.js"] as const;

/** The widget as one script, readable: the sections in their wrapper. */
export async function loadWidgetSource(): Promise<string> {
  const parts = await Promise.all(WIDGET_PARTS.map(async (name) => `// ---- ${name}\n${await readFile(new URL(`./widget/${name}`, import.meta.url), "utf8")}`));
  return `(function () {\n"use strict";\nvar bp = {};\n${parts.join("\n")}\n})();\n`;
}

/** The script as served: minified by esbuild, and compressed ahead of time in each encoding offered. */
export type WidgetBundle = { etag: string; identity: Buffer; br: Buffer; gzip: Buffer };

/**
 * Builds the bundle (once, when the channel starts: nothing built is committed or written to disk).
 * Brotli and gzip at their highest settings: done once, served on every page view of every site.
 */
export async function buildWidgetBundle(): Promise<WidgetBundle> {
  const built = await transform(await loadWidgetSource(), { loader: "js", minify: true, target: "es2019", legalComments: "none", charset: "utf8" });
  const identity = Buffer.from(`/* Bot platform web chat widget. */\n${built.code}`, "utf8");
  return {
    etag: createHash("sha256").update(identity).digest("base64url").slice(0, 22),
    identity,
    br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    gzip: gzipSync(identity, { level: constants.Z_BEST_COMPRESSION }),
  };
}

type Encoding = "br" | "gzip" | "identity";

/** The best encoding the client accepts (`Accept-Encoding`, honouring `q=0`): br, then gzip, else none. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const allows = (name: string) => (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  if (allows("br")) return "br";
  if (allows("gzip")) return "gzip";
  return "identity";
}

/**
 * `GET /widget.js`: the bundle in the encoding the browser takes, with an ETag per encoding (the
 * bytes differ), so a page view after the first costs a 304 once the short cache has run out.
 */
export function serveWidgetScript(bundle: WidgetBundle, request: Pick<PluginHttpRequest, "headers">): PluginHttpResponse {
  const encoding = negotiateEncoding(request.headers["accept-encoding"]);
  const etag = `"${bundle.etag}${encoding === "identity" ? "" : `-${encoding}`}"`;
  const headers: Record<string, string> = {
    "content-type": "application/javascript; charset=utf-8",
    // Short, so a new widget reaches every site within minutes without versioned URLs.
    "cache-control": "public, max-age=300",
    etag,
    vary: "accept-encoding",
    "x-content-type-options": "nosniff",
    // Any site may load the script; what it may then do is decided per call by the widget key.
    "cross-origin-resource-policy": "cross-origin",
  };
  const known = (request.headers["if-none-match"] ?? "").split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (known.includes(etag) || known.includes("*")) return { status: 304, headers };
  if (encoding !== "identity") headers["content-encoding"] = encoding;
  return { headers, body: bundle[encoding] };
}
