import type { RouteModule } from "./gateway-app.ts";
import { GatewayPrometheusReporter } from "../observability/prometheus-reporter.ts";

/** Liveness, readiness and metrics: what a load balancer and Prometheus ask. */
export const operationsRoutes: RouteModule = (app, { broker, platform, httpMetrics }) => {
  app.get("/health", { schema: { tags: ["operations"], summary: "The process is up" } }, async () => ({ status: "ok", nodeID: broker.nodeID }));

  // Without Redis the node still serves (cache and limits node-local), so it stays in the balancer:
  // 200 with `degraded`, where an outage of the shared Redis would otherwise take every node out.
  app.get("/ready", { schema: { tags: ["operations"], summary: "Database, cache and broker are reachable (200 `degraded` while Redis is not)" } }, async (_request, reply) => {
    const cacheUp = await platform.cache.isHealthy();
    const checks = {
      database: await platform.db.isHealthy(),
      cache: cacheUp ? true : "degraded",
      broker: broker.started && (!broker.transit || broker.transit.connected),
    };
    const ready = checks.database && checks.broker;
    const status = !ready ? "not ready" : cacheUp ? "ready" : "degraded";
    return reply.code(ready ? 200 : 503).send({ status, checks });
  });

  // Operator only: the figures name every tenant (sandbox runs by tenant and outcome).
  app.get("/metrics", { config: { auth: "operator" }, schema: { tags: ["operations"], summary: "Prometheus text exposition (operator key): the broker's, HTTP and the platform's own figures" } }, async (_request, reply) => {
    const reporter = (broker.metrics as unknown as { reporter: unknown[] }).reporter?.find((r) => r instanceof GatewayPrometheusReporter) as GatewayPrometheusReporter | undefined;
    const own = await platform.metrics.render({ namespace: broker.namespace, node_id: broker.nodeID });
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send((reporter ? reporter.render() : "") + httpMetrics.render() + own);
  });
};
