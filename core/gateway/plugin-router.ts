import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceBroker } from "moleculer";
import type { PluginRoute } from "../plugin-sdk/plugin-route.ts";
import type { PluginHost } from "../plugin-host/plugin-host.ts";
import type { Logger } from "../observability/logger.ts";

type CompiledRoute = { plugin: string; route: PluginRoute; pattern: RegExp; names: string[] };

/**
 * Routes that plugins bring, matched after the gateway's own. Kept in step with the plugin host,
 * so a channel loaded at run time answers at once and an unloaded one stops answering.
 */
export class PluginRouter {
  #routes: CompiledRoute[] = [];

  constructor(host: PluginHost) {
    host.onChange(() => {
      this.#routes = host.list().flatMap((plugin) => (plugin.module.implementation.routes ?? []).map((route) => compile(plugin.id, route)));
    });
  }

  match(method: string, path: string): { route: PluginRoute; plugin: string; params: Record<string, string> } | undefined {
    for (const compiled of this.#routes) {
      if (compiled.route.method !== method && !(method === "HEAD" && compiled.route.method === "GET")) continue;
      const found = compiled.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      compiled.names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1])));
      return { route: compiled.route, plugin: compiled.plugin, params };
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

function compile(plugin: string, route: PluginRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        names.push(segment.slice(1));
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { plugin, route, pattern: new RegExp(`^${source}/?$`), names };
}
