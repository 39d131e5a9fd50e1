import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceBroker } from "moleculer";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "../../sdk/platform-error.ts";
import type { Principal } from "../tenancy/principal.ts";
import type { RouteAuth } from "./route-auth.ts";

/**
 * People's cookie sessions, as the gateway sees them (the sessions themselves live in
 * core/modules/people and are reached through the broker as `people.resolveSession`).
 *
 * CSRF: the token is an HMAC of the session token (which never leaves the HttpOnly cookie), so it
 * needs no storage, dies with the session, and cannot be computed by a page that cannot read the
 * cookie. Every unsafe method (POST, PUT, PATCH, DELETE) authenticated by the cookie must send it
 * in `x-csrf-token` (the header the web chat already uses for its own token); calls with a key in
 * `Authorization` need none, since a browser never adds that header by itself.
 * @fastify/csrf-protection was weighed: it needs a second secret cookie (or @fastify/session) and
 * answers its own FST_CSRF_* errors outside our `{ error: { code } }` shape, for the same check.
 */
export const SESSION_COOKIE = "bp_session";
export const CSRF_HEADER = "x-csrf-token";
/** Which tenant a cookie request acts in; without it, the session's current tenant. */
export const TENANT_HEADER = "x-tenant-id";

/** What the people service tells the gateway about a live session. */
export type SessionIdentity = { sessionId: string; userId: string | null; operator: boolean; currentTenantId: string | null };
export type ResolvedSession = { session: SessionIdentity; principal: Principal | null };

declare module "fastify" {
  interface FastifyRequest {
    /** Set when the request was authenticated by a session cookie. */
    session?: SessionIdentity;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfTokenFor(sessionToken: string): string {
  return createHmac("sha256", sessionToken).update("csrf").digest("base64url");
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const token = request.cookies?.[SESSION_COOKIE];
  return typeof token === "string" && /^[\w-]{40,64}$/.test(token) ? token : undefined;
}

/** HttpOnly, SameSite=Lax, the whole site, and Secure whenever the request or the public URL is HTTPS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date, publicUrl: string | undefined): void {
  const secure = request.protocol === "https" || (publicUrl?.startsWith("https:") ?? false);
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", path: "/", secure, expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/" });
}

/**
 * The principal a session cookie stands for, checked before any route handler runs:
 * `undefined` when the request has no cookie (the gateway then asks for a key), `null` on a
 * `signed-in` route when the person acts in no tenant; throws 401 for an unknown or expired
 * session, 403 for a missing CSRF token, 404 for a tenant the person is not a member of.
 */
export async function sessionPrincipal(request: FastifyRequest, broker: ServiceBroker, auth: RouteAuth): Promise<Principal | null | undefined> {
  const token = sessionTokenOf(request);
  if (!token) return undefined;
  const wanted = request.headers[TENANT_HEADER];
  const tenantId = typeof wanted === "string" && wanted !== "" ? wanted : undefined;
  const resolved = await broker.call<ResolvedSession | null, object>("people.resolveSession", { token, tenantId, userAgent: request.headers["user-agent"] });
  if (!resolved) throw new UnauthorizedError("SESSION_EXPIRED", "Your session has ended; sign in again");
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    const expected = Buffer.from(csrfTokenFor(token));
    if (typeof sent !== "string" || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), expected)) {
      throw new ForbiddenError("CSRF_TOKEN_INVALID", `Send the session's CSRF token in ${CSRF_HEADER}`);
    }
  }
  request.session = resolved.session;
  if (resolved.principal || auth === "signed-in") return resolved.principal;
  // Another tenant's id looks exactly like a missing one.
  if (tenantId) throw new NotFoundError("TENANT_NOT_FOUND", "Tenant");
  throw new ForbiddenError("TENANT_REQUIRED", `Choose a tenant you are a member of with ${TENANT_HEADER}`);
}
