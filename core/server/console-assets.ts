/**
 * The console (console/, a Vite build in console/dist) served at /console on the API's own origin,
 * so it calls the public API with no CORS and its cookies stay first-party. Hashed assets are
 * cached for a year; index.html is never cached (it names the current hashes); any other path
 * under /console is the single-page app's own route and gets index.html. The build writes .br and
 * .gz beside each file (console/scripts/compress.ts), which @fastify/static serves to browsers
 * that accept them, so nothing is compressed per request.
 *
 * Without a build, /console answers 503 with a page that says how to make one.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyReply } from "fastify";
import type { RouteModule } from "../kernel/gateway/gateway-app.ts";

/** Only the console's own scripts run; its styles and images come from the same origin too. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React Flow sets element styles from script (CSSOM), which CSP allows; the bundle's own CSS is a file.
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The console is not built yet</h1>
<p>This platform serves its console from <code>console/dist</code>, which is missing.
Build it with <code>scripts/build-console.sh</code> (or start the platform with <code>scripts/start.sh</code>, which builds it when its sources changed), then restart the platform.</p>
<p>The API itself is up: see <a href="/docs">/docs</a>.</p></body></html>`;

export function consoleRoutesFor(distDir: string): RouteModule {
  return (app) => {
    const built = existsSync(join(distDir, "index.html"));
    const secure = (reply: FastifyReply) => reply
      .header("content-security-policy", CONTENT_SECURITY_POLICY)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "same-origin");

    if (!built) {
      const answer = async (_request: unknown, reply: FastifyReply) => secure(reply).code(503).header("cache-control", "no-store").type("text/html; charset=utf-8").send(NOT_BUILT);
      app.get("/console", { schema: { hide: true } }, answer);
      app.get("/console/*", { schema: { hide: true } }, answer);
      return;
    }

    // Encapsulated, so `sendFile` and its options belong to these routes only.
    app.register(async (scope) => {
      await scope.register(fastifyStatic, { root: distDir, serve: false, preCompressed: true });
      const sendIndex = (reply: FastifyReply) => secure(reply).header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false });
      scope.get("/console", { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
      scope.get("/console/*", { schema: { hide: true } }, async (request, reply) => {
        const wanted = normalize((request.params as { "*": string })["*"] ?? "");
        const file = resolve(distDir, wanted);
        const inside = file.startsWith(distDir + sep) && !wanted.split(sep).includes("..");
        if (inside && existsSync(file) && statSync(file).isFile()) {
          const hashed = wanted.startsWith(`assets${sep}`);
          secure(reply);
          if (hashed) return reply.sendFile(wanted, { maxAge: "365d", immutable: true });
          return reply.header("cache-control", "no-cache").sendFile(wanted, { cacheControl: false });
        }
        // A missing asset is a 404; anything else is a route of the app itself.
        if (/\.[a-z0-9]{1,8}$/i.test(wanted)) return secure(reply).code(404).type("text/plain").send("Not found");
        return sendIndex(reply);
      });
    });
  };
}

export const consoleRoutes: RouteModule = consoleRoutesFor(resolve(dirname(fileURLToPath(import.meta.url)), "../../console/dist"));
