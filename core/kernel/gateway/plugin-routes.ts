import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import type { ServiceBroker } from "moleculer";
import type { PluginRoute, PluginRouteContext, PluginSocket, PluginSocketRoute } from "../../sdk/plugin-route.ts";
import { NotFoundError } from "../../sdk/platform-error.ts";
import type { PluginHost } from "../plugin-host/plugin-host.ts";
import type { Logger } from "../observability/logger.ts";
import { apiError } from "./openapi.ts";
import { mediaTypeOf, parseBodyText } from "./body-text.ts";
import type { z } from "zod";

/** The part of a `ws` WebSocket the gateway uses (the package ships no types of its own). */
export type RawSocket = {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
  on(event: "close", listener: (code: number) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
};

/** Plugin sockets live under this prefix (vendors' media streams). */
export const PLUGIN_SOCKET_PREFIX = "/v1/channels/";

type Served<R> = { plugin: string; route: R };
type Tools = { broker: ServiceBroker; logger: Logger; publicUrl: string | undefined };

/**
 * The HTTP and WebSocket routes plugins bring, registered as real Fastify routes: each one is
 * validated against its declared schemas, appears in the OpenAPI document and is counted in the
 * metrics under its own path.
 *
 * Fastify fixes its routes when it starts listening, and plugins load at run time. The routes of
 * every plugin loaded before the gateway starts (first-party channels, the operator's PLUGINS) are
 * registered then; each request goes to the plugin that serves that method and path *now*, so a
 * plugin replaced by a new version answers with the new handler at once, and an unloaded one
 * answers 404. A route that only a plugin loaded later declares is served from the next start of
 * the gateway, and its load says so in the log. (One catch-all route dispatching by path would
 * serve such routes at once, but could show neither their schemas nor their paths in the OpenAPI
 * document and the metrics, which is the point of declaring them.)
 */
export class PluginRoutes {
  #routes = new Map<string, Served<PluginRoute>>();
  #sockets = new Map<string, Served<PluginSocketRoute>>();
  readonly #registered = new Set<string>();
  #started = false;

  constructor(host: PluginHost, logger: Logger) {
    host.onChange((change) => {
      const arriving = change.type === "loaded" ? change.plugin.id : undefined;
      const routes = new Map<string, Served<PluginRoute>>();
      const sockets = new Map<string, Served<PluginSocketRoute>>();
      for (const plugin of host.list()) {
        for (const route of plugin.module.implementation.routes ?? []) {
          const key = `${route.method} ${route.path}`;
          if (routes.has(key)) logger.error({ plugin: plugin.id, route: key, code: "PLUGIN_ROUTE_TAKEN" }, `route ${key} is already served by ${routes.get(key)?.plugin}`);
          else routes.set(key, { plugin: plugin.id, route });
          if (this.#started && plugin.id === arriving && !this.#registered.has(key)) logger.warn({ plugin: plugin.id, route: key }, "this route is served from the next start of the gateway");
        }
        for (const route of plugin.module.implementation.sockets ?? []) {
          if (!route.path.startsWith(PLUGIN_SOCKET_PREFIX)) continue;
          if (!sockets.has(route.path)) sockets.set(route.path, { plugin: plugin.id, route });
          if (this.#started && plugin.id === arriving && !this.#registered.has(`WS ${route.path}`)) logger.warn({ plugin: plugin.id, route: route.path }, "this socket is served from the next start of the gateway");
        }
      }
      this.#routes = routes;
      this.#sockets = sockets;
    });
  }

  /** Registers every route the plugins loaded so far declare; call once, before the app is ready. */
  register(app: FastifyInstance, tools: Tools): void {
    this.#started = true;
    for (const [key, { route }] of this.#routes) {
      this.#registered.add(key);
      const schema = route.schema;
      // A route that verifies its caller gets a scope of its own, whose one body parser verifies first.
      const options = {
        method: route.method,
        url: route.path,
        config: { auth: route.auth ?? "public" },
        schema: schema
          ? {
            ...(schema.operationId ? { operationId: schema.operationId } : {}), ...(schema.summary ? { summary: schema.summary } : {}),
            ...(schema.description ? { description: schema.description } : {}), ...(schema.tags ? { tags: [...schema.tags] } : {}),
            ...(schema.params ? { params: schema.params } : {}), ...(schema.querystring ? { querystring: schema.querystring } : {}),
            ...(schema.headers ? { headers: schema.headers } : {}), ...(schema.body ? { body: schema.body } : {}),
            ...(schema.response ? { response: { ...schema.response } } : {}), ...(schema.consumes ? { consumes: [...schema.consumes] } : {}),
            ...(schema.produces ? { response: withMediaType(schema.response ?? {}, schema.produces) } : {}),
          }
          : { tags: ["plugins"] },
        handler: (request: FastifyRequest, reply: FastifyReply) => this.#serve(key, request, reply, tools),
      } satisfies RouteOptions;
      if (route.verify) app.register(async (scope) => this.#verifiedRoute(scope, key, options, tools));
      else app.route(options);
    }
    for (const [path] of this.#sockets) {
      this.#registered.add(`WS ${path}`);
      app.route({
        method: "GET",
        url: path,
        schema: {
          summary: this.#sockets.get(path)?.route.summary ?? "A plugin's WebSocket", tags: ["channels"],
          description: "A WebSocket: connect with an HTTP upgrade (101 Switching Protocols). A plain HTTP request answers 426.",
          response: { 426: apiError("This is a WebSocket endpoint (WEBSOCKET_REQUIRED): connect with an upgrade") },
        },
        handler: async (_request: FastifyRequest, reply: FastifyReply) => reply.code(426).header("upgrade", "websocket").send({ error: { code: "WEBSOCKET_REQUIRED", message: "This is a WebSocket endpoint" } }),
        wsHandler: (socket: RawSocket, request: FastifyRequest) => this.#serveSocket(path, socket, request, tools),
        // @fastify/websocket's own form: `handler` for plain HTTP, `wsHandler` for the upgrade.
      } as unknown as Parameters<FastifyInstance["route"]>[0]);
    }
  }

  /**
   * A route whose plugin proves each request before its body is parsed (`verify`, a vendor's
   * signature over the exact bytes): the scope's only body parser reads the text (under the body
   * limit), has it verified, and only then parses it; a request without a body is verified before
   * validation. An unsigned body, however deep or large, is refused without being parsed.
   */
  #verifiedRoute(scope: FastifyInstance, key: string, options: RouteOptions, tools: Tools): void {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string" }, async (request: FastifyRequest, body: string | Buffer) => {
      const text = String(body);
      await this.#verify(key, request, text, tools);
      (request as FastifyRequest & { rawBody?: string }).rawBody = text;
      return parseBodyText(request.headers["content-type"], text);
    });
    scope.route({
      ...options,
      preValidation: async (request: FastifyRequest) => {
        if (!verifiedRequests.has(request)) await this.#verify(key, request, "", tools);
      },
    });
  }

  async #verify(key: string, request: FastifyRequest, rawBody: string, tools: Tools): Promise<void> {
    const served = this.#routes.get(key);
    if (!served) throw new NotFoundError("ROUTE_NOT_FOUND", `Route ${key}`);
    verifiedRequests.add(request);
    if (!served.route.verify) return;
    const url = request.url;
    await served.route.verify({
      method: request.method,
      path: url.split("?")[0],
      params: (request.params ?? {}) as Record<string, string>,
      query: Object.fromEntries(new URL(url, "http://x").searchParams),
      headers: request.headers as Record<string, string | undefined>,
      publicUrl: publicUrlOf(request, tools),
      rawBody,
      contentType: mediaTypeOf(request.headers["content-type"]),
    }, contextFor(served.plugin, tools));
  }

  async #serve(key: string, request: FastifyRequest, reply: FastifyReply, tools: Tools): Promise<void> {
    const served = this.#routes.get(key);
    // Its plugin was unloaded (or no longer declares it) since the gateway started.
    if (!served) throw new NotFoundError("ROUTE_NOT_FOUND", `Route ${key}`);
    const url = request.url;
    const answer = await served.route.handler(
      {
        method: request.method,
        path: url.split("?")[0],
        params: (request.params ?? {}) as Record<string, string>,
        query: Object.fromEntries(new URL(url, "http://x").searchParams),
        headers: request.headers as Record<string, string | undefined>,
        body: request.body,
        rawBody: served.route.rawBody ? (request as FastifyRequest & { rawBody?: string }).rawBody : undefined,
        publicUrl: publicUrlOf(request, tools),
        tenantId: request.principal && "tenantId" in request.principal ? request.principal.tenantId : undefined,
      },
      contextFor(served.plugin, tools),
    );
    reply.code(answer.status ?? 200);
    if (answer.headers) reply.headers(answer.headers);
    reply.send(answer.body ?? "");
  }

  /** Hands an upgraded connection to the plugin that serves the socket's path now. */
  #serveSocket(path: string, raw: RawSocket, request: FastifyRequest, tools: Tools): void {
    const served = this.#sockets.get(path);
    if (!served) {
      raw.close(1008, "no such socket");
      return;
    }
    const socket = adaptSocket(raw);
    const url = request.url;
    const base = tools.publicUrl ?? `${request.protocol}://${request.host}`;
    const socketRequest = {
      path: url.split("?")[0], params: (request.params ?? {}) as Record<string, string>, query: Object.fromEntries(new URL(url, "http://x").searchParams),
      headers: request.headers as Record<string, string | undefined>, publicUrl: base.replace(/\/$/, "") + url,
    };
    Promise.resolve()
      .then(() => served.route.handler(socket, socketRequest, contextFor(served.plugin, tools)))
      .catch((error: unknown) => {
        tools.logger.error({ plugin: served.plugin, err: error }, "plugin socket handler failed");
        socket.close(1011, "internal error");
      });
  }
}

/** Requests whose route's `verify` has run (a request is verified once, before its body is parsed or, without one, before validation). */
const verifiedRequests = new WeakSet<FastifyRequest>();

/** The URL the client used: PUBLIC_URL when set, else the protocol and host as Fastify reads them (forwarded ones only from trusted proxies). */
function publicUrlOf(request: FastifyRequest, tools: Tools): string {
  const base = tools.publicUrl ?? `${request.protocol}://${request.host}`;
  return base.replace(/\/$/, "") + request.url;
}

/** Successful answers in the route's media types (`produces`); errors stay JSON. */
function withMediaType(response: Readonly<Record<number, z.ZodType>>, produces: readonly string[]): Record<number, unknown> {
  return Object.fromEntries(Object.entries(response).map(([status, schema]) => [
    status,
    Number(status) < 400 ? { description: schema.description ?? "OK", content: Object.fromEntries(produces.map((type) => [type, { schema }])) } : schema,
  ]));
}

function contextFor(plugin: string, tools: Tools): PluginRouteContext {
  return {
    call: (action, params) => tools.broker.call(action, params),
    log: (message, data) => tools.logger.info({ plugin, ...data }, message),
  };
}

/**
 * The plugin's view of a socket: text frames only, and frames received before the handler
 * listens are queued (a handler may await a lookup first, and a vendor may send at once).
 */
function adaptSocket(raw: RawSocket): PluginSocket {
  const OPEN = 1;
  let queued: string[] | undefined = [];
  let onMessage: ((text: string) => void) | undefined;
  const closeListeners: ((code: number) => void)[] = [];
  raw.on("message", (data, isBinary) => {
    if (isBinary) return;
    const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8");
    if (onMessage) onMessage(text);
    else queued?.push(text);
  });
  raw.on("close", (code) => { for (const listener of closeListeners) listener(code); });
  // A reset connection is reported as a close right after; nothing else to do with the error.
  raw.on("error", () => {});
  return {
    send: (text) => { if (raw.readyState === OPEN) raw.send(text); },
    close: (code, reason) => { if (raw.readyState === OPEN) raw.close(code ?? 1000, reason); },
    onMessage(listener) {
      onMessage = listener;
      const pending = queued ?? [];
      queued = undefined;
      for (const text of pending) listener(text);
    },
    onClose: (listener) => { closeListeners.push(listener); },
    get isOpen() { return raw.readyState === OPEN; },
  };
}
