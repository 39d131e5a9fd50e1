import { randomUUID } from "node:crypto";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import fastifyWebsocket from "@fastify/websocket";
import fastifyCookie from "@fastify/cookie";
import { validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { ServiceBroker } from "moleculer";
import type { PlatformContext } from "../broker/platform-context.ts";
import { ForbiddenError, PlatformError, RateLimitedError, UnauthorizedError } from "../../sdk/platform-error.ts";
import { hashApiKey } from "../tenancy/api-keys.ts";
import type { Principal } from "../tenancy/principal.ts";
import type { HttpMetrics } from "../observability/http-metrics.ts";
import { toHttpError } from "./http-error.ts";
import { createResponseSerializer, openApiOptions } from "./openapi.ts";
import type { PluginRoutes } from "./plugin-routes.ts";
import { parseMultipart } from "./multipart-body.ts";
import { allows, assertRolePermits, type RouteAuth } from "./route-auth.ts";
import { sessionPrincipal } from "./session-auth.ts";
import { originAllowed, presentedKey, registerTenantCors } from "./cors.ts";
import { answerClientError, answerFrameworkError, checkUrl } from "./request-guards.ts";
import { parseFormText, parseJsonText } from "./body-text.ts";
import { DEPTH_HEADER, depthOf, withDepth } from "../net/request-depth.ts";
import { GatewayErrorCode } from "./gateway-errors.ts";
import { emitAdminChange, noteCreatedId } from "./admin-changes.ts";

/** Fastify's form of TRUST_PROXY: a hop count becomes "trust the nearest N hops". */
function trustedProxies(setting: boolean | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === "number" ? (_address, hop) => hop < setting : setting;
}
import { lazyRequestLogger } from "./lazy-request-logger.ts";

/** Fastify with zod schemas: route types come from the schemas, and so does the OpenAPI document. */
export type ZodApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;
export type GatewayTools = { broker: ServiceBroker; platform: PlatformContext; httpMetrics: HttpMetrics; pluginRoutes: PluginRoutes };
/** A group of routes; each room of the platform contributes one. */
export type RouteModule = (app: ZodApp, tools: GatewayTools) => void;

const AUTH_CACHE_TTL_MS = 10_000;

/** The keys cache: checking a key costs a database round trip, and every request presents one. */
export type AuthCache = Map<string, { principal: Principal | null; expiresAt: number }>;

export async function buildGatewayApp(tools: GatewayTools, routes: RouteModule[], authCache: AuthCache): Promise<FastifyInstance> {
  const { broker, platform, httpMetrics, pluginRoutes } = tools;
  const log = platform.logger.child({ component: "gateway" });
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Fastify makes a child logger per request, and pino runs the redaction paths over each child's
    // bindings: about a tenth of a request's CPU in the gateway bench. Our own lines name the
    // request id themselves, so the child is made only when something else logs (lazy-request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
    // We log one line per request ourselves (onResponse), with the tenant in it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: platform.config.BODY_LIMIT_BYTES,
    // Forwarded headers only from the proxies the operator named: vendors sign the public URL, and
    // rate limits key on the client's address.
    trustProxy: trustedProxies(platform.config.TRUST_PROXY),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    // Errors raised before a route runs answer in the documented shape too (request-guards.ts).
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  app.setValidatorCompiler((route: Parameters<typeof validatorCompiler>[0]) => {
    const validate = validatorCompiler(route);
    // Fastify hands a request without a body over as null; a route whose body is optional means "may be absent".
    return route.httpPart === "body" ? (data: unknown) => validate(data === null ? undefined : data) : validate;
  });
  app.setSerializerCompiler(createResponseSerializer((message, data) => app.log.warn(data, message), platform.config.NODE_ENV !== "production"));
  // People's sessions travel in a cookie (session-auth.ts).
  await app.register(fastifyCookie);


  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("x-request-id", request.id);
    noteCreatedId(request, reply, payload);
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    httpMetrics.record(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // The audit log's one source (admin-changes.ts).
    emitAdminChange(broker, request, reply);
    if (!log.isLevelEnabled("info")) return;
    const tenantId = request.principal && "tenantId" in request.principal ? request.principal.tenantId : undefined;
    log.info({ reqId: request.id, tenantId, method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, "request");
  });

  app.setErrorHandler((error, request, reply) => {
    const http = toHttpError(error);
    const tenantId = request.principal && "tenantId" in request.principal ? request.principal.tenantId : undefined;
    if (http.unexpected) log.error({ err: error, reqId: request.id, tenantId }, "unexpected error");
    else log.debug({ code: http.body.error.code, reqId: request.id }, "request refused");
    reply.code(http.status).headers(http.headers).send(http.body);
  });

  // A request the platform itself sent (request-depth.ts): refused past the limit, otherwise served
  // at its depth, so what it calls out to goes one deeper. `done` runs inside the storage, which
  // carries the depth through the rest of the request's lifecycle.
  app.addHook("onRequest", (request, _reply, done) => {
    const depth = depthOf(request.headers[DEPTH_HEADER]);
    if (depth > platform.config.LOOP_MAX_DEPTH) {
      return done(new PlatformError(GatewayErrorCode.loopDetected, `This request came back through the platform ${depth} times; a bot or tool is calling the platform in a loop`, { status: 508, data: { depth, max: platform.config.LOOP_MAX_DEPTH } }));
    }
    if (depth === 0) return done();
    withDepth(depth, () => done());
  });

  // Keep the exact body text: webhook senders sign the bytes, not the parsed object.
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    (request as typeof request & { rawBody?: string }).rawBody = body as string;
    try {
      done(null, parseJsonText(body as string));
    } catch (error) {
      done(error as Error);
    }
  });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (request, body, done) => {
    (request as typeof request & { rawBody?: string }).rawBody = body as string;
    try {
      done(null, parseFormText(body as string));
    } catch (error) {
      done(error as Error);
    }
  });
  // File uploads (knowledge documents): routes that take them map the parsed form onto their schema.
  app.addContentTypeParser("multipart/form-data", { parseAs: "buffer" }, (request, body, done) => {
    parseMultipart(body as Buffer, String(request.headers["content-type"])).then((fields) => done(null, fields), (error: Error) => done(error));
  });

  app.setNotFoundHandler(async (request, reply) => {
    return reply.code(404).send({ error: { code: "ROUTE_NOT_FOUND", message: `No route ${request.method} ${request.url.split("?")[0]}` } });
  });

  async function authenticate(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key);
    const cached = authCache.get(hash);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    const principal = await broker.call<Principal | null, { key: string }>("tenants.authenticate", { key });
    if (authCache.size > 10_000) authCache.clear();
    authCache.set(hash, { principal, expiresAt: Date.now() + AUTH_CACHE_TTL_MS });
    return principal;
  }

  // CORS per tenant (preflights, widget keys); before authorization, which a preflight never passes.
  await registerTenantCors(app, authenticate);

  app.addHook("onRequest", async (request, reply) => {
    // A NUL byte in the path or query never means anything to us, and PostgreSQL refuses it in text.
    // Checked here rather than in a hook of its own: every hook is a promise and a tick per request.
    checkUrl(request.url);
    return authorize(request, reply, request.routeOptions.config?.auth ?? "public");
  });

  async function authorize(request: FastifyRequest, reply: FastifyReply, auth: RouteAuth): Promise<void> {
    if (auth === "public") return;
    const key = presentedKey(request);
    // People: without a key, a session cookie stands for a member or the operator (session-auth.ts).
    const fromCookie = key ? undefined : await sessionPrincipal(request, broker, auth);
    if (fromCookie === null) return;
    if (!key && !fromCookie) throw new UnauthorizedError("MISSING_KEY", "Send your key as `Authorization: Bearer <key>` (or `x-api-key` for widget keys)");
    const principal = fromCookie ?? await authenticate(key!);
    if (!principal) throw new UnauthorizedError("INVALID_KEY", "This key is not valid");
    if (!allows(auth, principal)) throw new ForbiddenError("WRONG_KEY_KIND", "This key may not call this endpoint");
    // Roles: one table (tenancy/permissions.ts) for keys and cookies alike.
    assertRolePermits(auth, principal, request.method, request.routeOptions.url ?? request.url.split("?")[0]);
    request.principal = principal;
    if ("tenantId" in principal) {
      if (principal.kind === "widget" && request.headers.origin) {
        if (!originAllowed(request.headers.origin, principal.allowedDomains)) throw new ForbiddenError("ORIGIN_NOT_ALLOWED", "This site is not among the tenant's allowed domains");
      }
      const perMinute = principal.tier === "paid" ? platform.config.RATE_LIMIT_PAID_PER_MINUTE : platform.config.RATE_LIMIT_FREE_PER_MINUTE;
      const decision = await platform.cache.rateLimiter.consume(`tenant:${principal.tenantId}`, perMinute, 60);
      if (!decision.allowed) throw new RateLimitedError("TENANT_RATE_LIMITED", `This tenant may make ${perMinute} requests a minute`, decision.retryAfterSeconds);
    }
  }

  await app.register(fastifySwagger, openApiOptions);
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });
  app.get("/docs/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  // Plugin routes (channel webhooks and media streams, the widget script): real routes, see plugin-routes.ts.
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });
  pluginRoutes.register(app, { broker, logger: platform.logger, publicUrl: platform.config.PUBLIC_URL });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const register of routes) register(typed, tools);
  await app.ready();
  return app as unknown as FastifyInstance;
}
