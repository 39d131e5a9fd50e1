import { MetricReporters, type MetricRegistry } from "moleculer";

/** Default metrics whose labels tell where and as whom the process runs. */
export const hostDetails = ["os.hostname", "os.type", "os.release", "os.arch", "os.platform", "os.user.**", "os.network.**", "process.arguments", "process.pid", "process.ppid", "process.versions.**"] as const;

/**
 * Moleculer's Prometheus reporter, without the HTTP server it would open on its own port: the
 * gateway serves its text at GET /metrics instead, so each node exposes one port, not two.
 */
export class GatewayPrometheusReporter extends MetricReporters.Prometheus {
  constructor() {
    // Moleculer's default metrics describe the host as labels: its name, user, home folder, IP and
    // MAC addresses, kernel, and the process's arguments and ids. None of that is the scraper's
    // business, and an arguments list can carry a secret; memory, load and uptime stay.
    super({ excludes: [...hostDetails] });
  }

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
