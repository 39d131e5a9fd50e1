import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { clearSessionCookie, csrfTokenFor, sessionTokenOf, setSessionCookie } from "../../kernel/gateway/session-auth.ts";
import { UnauthorizedError } from "../../sdk/platform-error.ts";
import type { NewSession, SessionView } from "./people.service.ts";
import { email, errorAnswer, givenPassword, newPassword, secretToken, sessionAnswer } from "./people-schemas.ts";

/**
 * Signing in and out: people with email and password, one-time links, invites, password resets,
 * and the operator with the operator key. Every answer that starts a session sets the HttpOnly
 * cookie and carries the CSRF token the browser must send back (session-auth.ts).
 */
export const authRoutes: RouteModule = (app, { broker, platform }) => {
  const tags = ["people"];
  const signedIn = { auth: "signed-in" as const };

  const baseUrl = (request: FastifyRequest) => platform.config.PUBLIC_URL ?? `${request.protocol}://${request.host}`;
  const userAgent = (request: FastifyRequest) => request.headers["user-agent"];
  const sessionOf = (request: FastifyRequest) => {
    if (!request.session) throw new UnauthorizedError("SESSION_EXPIRED", "Sign in first");
    return request.session;
  };
  /** Answers a new session: the cookie, and what the browser needs to know. */
  const started = (request: FastifyRequest, reply: FastifyReply, session: NewSession) => {
    setSessionCookie(request, reply, session.token, new Date(session.view.expiresAt), platform.config.PUBLIC_URL);
    return reply.code(201).send({ ...session.view, csrfToken: csrfTokenFor(session.token) });
  };
  const current = (request: FastifyRequest, view: SessionView) => ({ ...view, csrfToken: csrfTokenFor(sessionTokenOf(request)!) });

  app.post("/v1/auth/sessions", {
    config: { auth: "public" },
    schema: {
      tags, summary: "Sign in with email and password (sets the session cookie)",
      description: "Failed sign-ins are limited per email and per address (429 with Retry-After); an unknown email and a wrong password answer alike.",
      body: z.strictObject({ email, password: givenPassword }),
      response: { 201: sessionAnswer, 401: errorAnswer, 429: errorAnswer },
    },
  }, async (request, reply) => started(request, reply, await broker.call<NewSession, object>("people.signIn", { ...request.body, ip: request.ip, userAgent: userAgent(request) })));

  app.get("/v1/auth/session", {
    config: signedIn,
    schema: { tags, summary: "Who is signed in: the person (or the operator), their tenants and roles, and the CSRF token", response: { 200: sessionAnswer, 401: errorAnswer } },
  }, async (request) => current(request, await broker.call<SessionView, object>("people.describeSession", { sessionId: sessionOf(request).sessionId })));

  app.patch("/v1/auth/session", {
    config: signedIn,
    schema: {
      tags, summary: "Choose the tenant this session acts in when a request sends no x-tenant-id",
      body: z.strictObject({ tenantId: z.uuid() }),
      response: { 200: sessionAnswer, 404: errorAnswer },
    },
  }, async (request) => {
    const session = sessionOf(request);
    return current(request, await broker.call<SessionView, object>("people.switchTenant", { sessionId: session.sessionId, userId: session.userId, tenantId: request.body.tenantId }));
  });

  app.delete("/v1/auth/session", {
    config: signedIn,
    schema: { tags, summary: "Sign out of this browser", response: { 204: z.null(), 401: errorAnswer, 403: errorAnswer } },
  }, async (request, reply) => {
    await broker.call("people.signOut", { sessionId: sessionOf(request).sessionId });
    clearSessionCookie(reply);
    return reply.code(204).send(null);
  });

  app.delete("/v1/auth/sessions", {
    config: signedIn,
    schema: { tags, summary: "Sign out everywhere: every session of this person ends, this one included", response: { 204: z.null(), 401: errorAnswer, 403: errorAnswer } },
  }, async (request, reply) => {
    const session = sessionOf(request);
    await broker.call("people.signOutEverywhere", { sessionId: session.sessionId, userId: session.userId });
    clearSessionCookie(reply);
    return reply.code(204).send(null);
  });

  app.put("/v1/auth/password", {
    config: signedIn,
    schema: {
      tags, summary: "Set or change the signed-in person's password (the current one is needed once one is set); other sessions end",
      body: z.strictObject({ password: newPassword, currentPassword: givenPassword.optional() }),
      response: { 204: z.null(), 403: errorAnswer },
    },
  }, async (request, reply) => {
    const session = sessionOf(request);
    await broker.call("people.setPassword", { sessionId: session.sessionId, userId: session.userId, ...request.body });
    return reply.code(204).send(null);
  });

  app.post("/v1/auth/password-reset", {
    config: { auth: "public" },
    schema: {
      tags, summary: "Ask for a password reset link (always 202: whether the email has an account is never told)",
      description: "The link is mailed through SMTP_URL; with no mail transport configured it is written to the platform's log for the operator to pass on. It is never in this answer, even in development, since this answer must look the same for every email.",
      body: z.strictObject({ email }),
      response: { 202: z.object({ message: z.string() }) },
    },
  }, async (request, reply) => {
    await broker.call("people.requestPasswordReset", { email: request.body.email, baseUrl: baseUrl(request) });
    return reply.code(202).send({ message: "If this email has an account, a reset link is on its way" });
  });

  app.post("/v1/auth/password-reset/confirm", {
    config: { auth: "public" },
    schema: {
      tags, summary: "Choose a new password with the reset link's token (single use, one hour); every session of the person ends",
      body: z.strictObject({ token: secretToken, password: newPassword }),
      response: { 204: z.null(), 400: errorAnswer },
    },
  }, async (request, reply) => {
    await broker.call("people.confirmPasswordReset", request.body);
    return reply.code(204).send(null);
  });

  app.post("/v1/auth/invites/accept", {
    config: { auth: "public" },
    schema: {
      tags, summary: "Accept an invitation: join its tenant with its role and sign in (a new person chooses a password here)",
      body: z.strictObject({ token: secretToken, password: newPassword.optional(), name: z.string().trim().min(1).max(200).optional() }),
      response: { 201: sessionAnswer, 400: errorAnswer },
    },
  }, async (request, reply) => started(request, reply, await broker.call<NewSession, object>("people.acceptInvite", { ...request.body, userAgent: userAgent(request) })));

  app.post("/v1/auth/link-sessions", {
    config: { auth: "public" },
    schema: {
      tags, summary: "Sign in with a one-time link (the first owner's, printed at the first start); then set a password with PUT /v1/auth/password",
      body: z.strictObject({ token: secretToken }),
      response: { 201: sessionAnswer, 400: errorAnswer },
    },
  }, async (request, reply) => started(request, reply, await broker.call<NewSession, object>("people.redeemSignInLink", { token: request.body.token, userAgent: userAgent(request) })));

  app.post("/v1/auth/operator-session", {
    config: { auth: "public" },
    schema: {
      tags, summary: "The operator signs in with the operator key (sets the session cookie; the session acts as the operator)",
      body: z.strictObject({ key: z.string().min(1).max(512) }),
      response: { 201: sessionAnswer, 401: errorAnswer, 429: errorAnswer },
    },
  }, async (request, reply) => started(request, reply, await broker.call<NewSession, object>("people.operatorSignIn", { key: request.body.key, ip: request.ip, userAgent: userAgent(request) })));
};
