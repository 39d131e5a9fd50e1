import type { FastifyReply, FastifyRequest } from "fastify";
import { RateLimitedError } from "../../sdk/platform-error.ts";
import type { RateLimiter } from "../cache/rate-limiter.ts";
import type { TenantPrincipal } from "../tenancy/principal.ts";
import { drainRefusedBody } from "./drain-refused-body.ts";
import { requireTenant } from "./route-auth.ts";

/** A route's per-tenant admission: how many requests a minute, and how many at once on this node. */
export type AdmissionRule = {
  /** Names the rate-limit key (`<name>:<tenant>`). */
  name: string;
  perMinute: (principal: TenantPrincipal) => number;
  /** Requests of one tenant this node works on at once. */
  maxInFlight: number;
  rateLimited: { code: string; message: (perMinute: number) => string };
  busy: { code: string; message: (inFlight: number) => string };
  /** For upload routes: how much of a refused body to read into nothing so the client sees the 429. */
  drainBytes?: number;
};

/**
 * A route `onRequest` hook that admits a tenant's request or answers 429 with Retry-After before
 * its body is read: first the in-flight bound on this node (work already under way), then the
 * per-minute rate shared by the cluster (Redis, node-local fallback; cache/rate-limiter.ts). It
 * runs after the gateway's authorization, which set the principal. A refused request costs a
 * counter lookup, so one tenant's burst is turned away before it takes memory or a worker that
 * other tenants need.
 */
export function tenantAdmission(limiter: RateLimiter, rule: AdmissionRule) {
  const inFlight = new Map<string, number>();
  const refuse = (request: FastifyRequest, reply: FastifyReply, error: RateLimitedError): never => {
    if (rule.drainBytes) drainRefusedBody(request, reply, rule.drainBytes);
    throw error;
  };
  return async function admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = requireTenant(request);
    const tenantId = principal.tenantId;
    const running = inFlight.get(tenantId) ?? 0;
    if (running >= rule.maxInFlight) refuse(request, reply, new RateLimitedError(rule.busy.code, rule.busy.message(running), 1));
    const perMinute = rule.perMinute(principal);
    const decision = await limiter.consume(`${rule.name}:${tenantId}`, perMinute, 60);
    if (!decision.allowed) refuse(request, reply, new RateLimitedError(rule.rateLimited.code, rule.rateLimited.message(perMinute), decision.retryAfterSeconds));
    inFlight.set(tenantId, (inFlight.get(tenantId) ?? 0) + 1);
    let done = false;
    // "close" comes once the answer is sent or the client went away, whichever happens.
    reply.raw.once("close", () => {
      if (done) return;
      done = true;
      const left = (inFlight.get(tenantId) ?? 1) - 1;
      if (left <= 0) inFlight.delete(tenantId);
      else inFlight.set(tenantId, left);
    });
  };
}
