import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceBroker } from "moleculer";
import type { PluginRoute, PluginRouteContext, PluginSocket, PluginSocketRoute } from "../../sdk/plugin-route.ts";
import type { PluginHost } from "../plugin-host/plugin-host.ts";
import type { Logger } from "../observability/logger.ts";

type CompiledRoute = { plugin: string; route: PluginRoute; pattern: RegExp; names: string[] };
type CompiledSocket = { plugin: string; route: PluginSocketRoute; pattern: RegExp; names: string[] };

/** The part of a `ws` WebSocket the gateway uses (the package ships no types of its own). */
export type RawSocket = {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
  on(event: "close", listener: (code: number) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
};

/** Plugin sockets live under this prefix: the gateway routes WebSocket upgrades there to them. */
export const PLUGIN_SOCKET_PREFIX = "/v1/channels/";

/**
 * Routes that plugins bring, matched after the gateway's own. Kept in step with the plugin host,
 * so a channel loaded at run time answers at once and an unloaded one stops answering.
 */
export class PluginRouter {
  #routes: CompiledRoute[] = [];
  #sockets: CompiledSocket[] = [];

  constructor(host: PluginHost) {
    host.onChange(() => {
      this.#routes = host.list().flatMap((plugin) => (plugin.module.implementation.routes ?? []).map((route) => ({ ...compile(route.path), plugin: plugin.id, route })));
      this.#sockets = host.list().flatMap((plugin) => (plugin.module.implementation.sockets ?? [])
        .filter((route) => route.path.startsWith(PLUGIN_SOCKET_PREFIX))
        .map((route) => ({ ...compile(route.path), plugin: plugin.id, route })));
    });
  }

  matchSocket(path: string): { route: PluginSocketRoute; plugin: string; params: Record<string, string> } | undefined {
    for (const compiled of this.#sockets) {
      const params = paramsOf(compiled, path);
      if (params) return { route: compiled.route, plugin: compiled.plugin, params };
    }
    return undefined;
  }

  /** Hands an upgraded connection to the plugin socket route its path names (checked before the upgrade). */
  serveSocket(raw: RawSocket, url: string, headers: Record<string, string | undefined>, broker: ServiceBroker, logger: Logger, publicBase: string): void {
    const path = url.split("?")[0];
    const matched = this.matchSocket(path);
    if (!matched) {
      raw.close(1008, "no such socket");
      return;
    }
    const socket = adaptSocket(raw);
    const ctx: PluginRouteContext = {
      call: (action, params) => broker.call(action, params),
      log: (message, data) => logger.info({ plugin: matched.plugin, ...data }, message),
    };
    const request = { path, params: matched.params, query: Object.fromEntries(new URL(url, "http://x").searchParams), headers, publicUrl: publicBase.replace(/\/$/, "") + url };
    Promise.resolve()
      .then(() => matched.route.handler(socket, request, ctx))
      .catch((error: unknown) => {
        logger.error({ plugin: matched.plugin, err: error }, "plugin socket handler failed");
        socket.close(1011, "internal error");
      });
  }

  match(method: string, path: string): { route: PluginRoute; plugin: string; params: Record<string, string> } | undefined {
    for (const compiled of this.#routes) {
      if (compiled.route.method !== method && !(method === "HEAD" && compiled.route.method === "GET")) continue;
      const params = paramsOf(compiled, path);
      if (params) return { route: compiled.route, plugin: compiled.plugin, params };
    }
    return undefined;
  }

  async serve(request: FastifyRequest, reply: FastifyReply, matched: NonNullable<ReturnType<PluginRouter["match"]>>, broker: ServiceBroker, logger: Logger, publicBase: string | undefined): Promise<void> {
    const url = request.url;
    const base = publicBase ?? `${request.protocol}://${request.host}`;
    const answer = await matched.route.handler(
      {
        method: request.method,
        path: url.split("?")[0],
        params: matched.params,
        query: Object.fromEntries(new URL(url, "http://x").searchParams),
        headers: request.headers as Record<string, string | undefined>,
        body: request.body,
        rawBody: (request as FastifyRequest & { rawBody?: string }).rawBody,
        publicUrl: base.replace(/\/$/, "") + url,
        tenantId: request.principal && "tenantId" in request.principal ? request.principal.tenantId : undefined,
      },
      {
        call: (action, params) => broker.call(action, params),
        log: (message, data) => logger.info({ plugin: matched.plugin, ...data }, message),
      },
    );
    reply.code(answer.status ?? 200);
    if (answer.headers) reply.headers(answer.headers);
    reply.send(answer.body ?? "");
  }
}

function paramsOf(compiled: { pattern: RegExp; names: string[] }, path: string): Record<string, string> | undefined {
  const found = compiled.pattern.exec(path);
  if (!found) return undefined;
  const params: Record<string, string> = {};
  try {
    compiled.names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1])));
  } catch {
    return undefined;
  }
  return params;
}

/**
 * The plugin's view of a socket: text frames only, and frames received before the handler
 * listens are queued (a handler may await a lookup first, and Twilio sends at once).
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

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        names.push(segment.slice(1));
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { pattern: new RegExp(`^${source}/?$`), names };
}
