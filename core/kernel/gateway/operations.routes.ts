import type { RouteModule } from "./gateway-app.ts";
import { GatewayPrometheusReporter } from "../observability/prometheus-reporter.ts";

/** Liveness, readiness and metrics: what a load balancer and Prometheus ask. */
export const operationsRoutes: RouteModule = (app, { broker, platform, httpMetrics }) => {
  app.get("/health", { schema: { tags: ["operations"], summary: "The process is up" } }, async () => ({ status: "ok", nodeID: broker.nodeID }));

  app.get("/ready", { schema: { tags: ["operations"], summary: "Database, cache and broker are reachable" } }, async (_request, reply) => {
    const checks = {
      database: await platform.db.isHealthy(),
      cache: await platform.cache.isHealthy(),
      broker: broker.started && (!broker.transit || broker.transit.connected),
    };
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks });
  });

  // Operator only: the figures name every tenant (sandbox runs by tenant and outcome).
  app.get("/metrics", { config: { auth: "operator" }, schema: { tags: ["operations"], summary: "Prometheus text exposition (operator key)" } }, async (_request, reply) => {
    const reporter = (broker.metrics as unknown as { reporter: unknown[] }).reporter?.find((r) => r instanceof GatewayPrometheusReporter) as GatewayPrometheusReporter | undefined;
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send((reporter ? reporter.render() : "") + httpMetrics.render());
  });
};
