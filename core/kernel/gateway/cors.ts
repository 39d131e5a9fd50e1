import fastifyCors, { type FastifyCorsOptions } from "@fastify/cors";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Principal } from "../tenancy/principal.ts";

/**
 * Whether a browser origin may use a tenant's widget key. Domains are host names (`shop.example`)
 * or wildcards (`*.example.com`); an empty list allows any site, which is what a tenant who has
 * not configured domains yet expects while trying the widget.
 */
export function originAllowed(origin: string, allowedDomains: readonly string[]): boolean {
  if (allowedDomains.length === 0) return true;
  let host: string;
  let hostWithPort: string;
  try {
    const url = new URL(origin);
    host = url.hostname.toLowerCase();
    hostWithPort = url.host.toLowerCase();
  } catch {
    return false;
  }
  return allowedDomains.some((domain) => {
    const d = domain.toLowerCase();
    // `shop.example:8443` names one port; a bare host name allows any port on it.
    if (d.includes(":")) return hostWithPort === d;
    if (d.startsWith("*.")) return host.endsWith(d.slice(1)) || host === d.slice(2);
    return host === d;
  });
}

/** The key a request presents, read the way the gateway's authorization reads it. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return (typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7).trim() : undefined) ?? (request.headers["x-api-key"] as string | undefined);
}

// No `credentials`: the widget sends its key in a header with `credentials: "omit"`, so no other
// site ever needs the browser to attach this origin's cookies (the console's session) to a call.
const PREFLIGHT: FastifyCorsOptions = {
  origin: true,
  methods: "GET,POST,PUT,PATCH,DELETE",
  allowedHeaders: "content-type,accept,authorization,x-api-key,x-csrf-token,last-event-id",
  maxAge: 600,
};

const NOT_CORS: FastifyCorsOptions = { origin: false };
const WIDGET: FastifyCorsOptions = { origin: true };

/**
 * CORS by @fastify/cors, decided per request by what its key is. A preflight carries no key, so any
 * site gets one (the real request is what is checked). A request with a widget key names the site
 * as allowed; the gateway's authorization then refuses a site the key's tenant does not list with
 * 403 ORIGIN_NOT_ALLOWED, and that refusal stays readable so the widget can tell the visitor why
 * rather than fail vaguely. Every other request (admin and operator keys, cookies, no key) gets no
 * CORS headers at all, so no other site's script reads it.
 *
 * Registered before the authorization hook, so preflights are answered before a key is asked for.
 */
export async function registerTenantCors(app: FastifyInstance, resolve: (key: string) => Promise<Principal | null>): Promise<void> {
  await app.register(fastifyCors, {
    hook: "onRequest",
    // The callback form (two parameters): a request without an Origin, which is most of them
    // (servers, apps, the channels' webhooks), is decided at once, without a promise and a tick.
    delegator: (request: FastifyRequest, decide: (error: Error | null, options: FastifyCorsOptions) => void): void => {
      if (!request.headers.origin) return decide(null, NOT_CORS);
      if (request.method === "OPTIONS" && request.headers["access-control-request-method"]) return decide(null, PREFLIGHT);
      const key = presentedKey(request);
      if (!key) return decide(null, NOT_CORS);
      resolve(key).catch(() => null).then((principal) => decide(null, principal?.kind === "widget" ? WIDGET : NOT_CORS), (error: Error) => decide(error, NOT_CORS));
    },
  });
}
