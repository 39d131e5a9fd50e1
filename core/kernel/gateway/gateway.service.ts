import type { FastifyInstance } from "fastify";
import type { ServiceSchema } from "moleculer";
import type { PlatformContext } from "../broker/platform-context.ts";
import { TenancyEvents } from "../tenancy/tenants.service.ts";
import type { PluginHost } from "../plugin-host/plugin-host.ts";
import { PluginRoutes } from "./plugin-routes.ts";
import { HttpMetrics } from "../observability/http-metrics.ts";
import { buildGatewayApp, type AuthCache, type RouteModule } from "./gateway-app.ts";

/** Where the gateway ended up listening; filled once it has started. */
export type GatewayHandle = { app?: FastifyInstance; url?: string };

/**
 * The HTTP edge: Fastify inside a Moleculer service, so it starts and stops with the broker and
 * reaches every other service through `broker.call`, on this node or any other.
 */
export function createGatewayService(platform: PlatformContext, routes: RouteModule[], handle: GatewayHandle, plugins: PluginHost): ServiceSchema {
  const authCache: AuthCache = new Map();
  const pluginRoutes = new PluginRoutes(plugins, platform.logger.child({ component: "gateway" }));
  return {
    name: "gateway",
    // Open the port only once keys can be checked and plugins are loaded.
    dependencies: ["tenants", "plugins", "bots", "conversations", "people"],
    events: {
      // A rotated or revoked key must stop working on every node at once, not when the cache expires.
      [TenancyEvents.keysChanged]() {
        authCache.clear();
      },
    },
    async started() {
      const httpMetrics = new HttpMetrics({ namespace: this.broker.namespace, node_id: this.broker.nodeID });
      const app = await buildGatewayApp({ broker: this.broker, platform, httpMetrics, pluginRoutes }, routes, authCache);
      const address = await app.listen({ port: platform.config.PORT, host: platform.config.HOST });
      handle.app = app;
      handle.url = address.replace("[::]", "127.0.0.1").replace("0.0.0.0", "127.0.0.1");
    },
    async stopped() {
      // close() stops accepting connections and waits for requests in flight.
      await handle.app?.close();
    },
  };
}
