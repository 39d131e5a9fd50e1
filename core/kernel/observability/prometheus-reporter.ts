import { MetricReporters, type MetricRegistry } from "moleculer";

/**
 * Moleculer's Prometheus reporter, without the HTTP server it would open on its own port: the
 * gateway serves its text at GET /metrics instead, so each node exposes one port, not two.
 */
export class GatewayPrometheusReporter extends MetricReporters.Prometheus {
  override init(registry: MetricRegistry): void {
    // Base init only: skip Prometheus.init, which listens on a port.
    MetricReporters.Base.prototype.init.call(this, registry);
    const self = this as unknown as { opts: { defaultLabels: unknown }; defaultLabels: unknown };
    self.defaultLabels = typeof self.opts.defaultLabels === "function" ? self.opts.defaultLabels.call(this, registry) : self.opts.defaultLabels;
  }

  override async stop(): Promise<void> {}

  /** Prometheus text exposition of every metric on this node. */
  render(): string {
    return (this as unknown as { generatePrometheusResponse(): string }).generatePrometheusResponse();
  }
}
