import { MetricReporters, type MetricRegistry } from "moleculer";
import { escapeHelp, escapeLabelValue } from "./metric-registry.ts";

/** Default metrics whose labels tell where and as whom the process runs. */
export const hostDetails = ["os.hostname", "os.type", "os.release", "os.arch", "os.platform", "os.user.**", "os.network.**", "process.arguments", "process.pid", "process.ppid", "process.versions.**"] as const;

/** What Moleculer's registry holds per metric (its typings leave the store out). */
type MoleculerMetric = {
  name: string; type: "counter" | "gauge" | "histogram" | "info"; description?: string; unit?: string; buckets?: number[];
  snapshot(): { labels?: Record<string, unknown>; value?: unknown; buckets?: Record<string, number>; quantiles?: Record<string, number>; sum?: number; count?: number }[];
};

/**
 * Moleculer's Prometheus reporter, without the HTTP server it would open on its own port: the
 * gateway serves its text at GET /metrics instead, so each node exposes one port, not two.
 *
 * The text is our own rendering of Moleculer's registry, because Moleculer's fails
 * `promtool check metrics`: camelCase labels (`nodeID`, `heapSpace`...), quantile series inside
 * histograms (with `_min`, `_mean`, `_stddev`... beside them), gauges named `_total`, counters
 * without it. Here labels are snake_case, histograms are buckets, `_sum` and `_count` only
 * (`histogram_quantile` gives the quantiles), gauges lose `_total` and counters gain it, and every
 * family has its HELP. The names otherwise stay Moleculer's, so its dashboards still find them.
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

  /** Prometheus text exposition of every Moleculer metric on this node. */
  render(): string {
    const self = this as unknown as { registry: { store: Map<string, MoleculerMetric> }; defaultLabels?: Record<string, unknown>; matchMetricName(name: string): boolean };
    const defaults = self.defaultLabels ?? {};
    const lines: string[] = [];
    const taken = new Set<string>();
    for (const metric of self.registry.store.values()) {
      // Moleculer skips the date and time ones too: a label per second.
      if (!self.matchMetricName(metric.name) || metric.name.startsWith("os.datetime")) continue;
      const snapshot = metric.snapshot();
      if (snapshot.length === 0) continue;
      const name = familyName(metric, taken);
      taken.add(name);
      const help = metric.description ? metric.description + (metric.unit ? ` (${metric.unit})` : "") : `${metric.name}${metric.unit ? ` (${metric.unit})` : ""}`;
      const histogram = metric.type === "histogram";
      const summary = histogram && !metric.buckets?.length;
      const type = metric.type === "info" ? "gauge" : summary ? "summary" : metric.type;
      lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
      for (const item of snapshot) {
        const labels = { ...defaults, ...item.labels };
        if (metric.type === "info") {
          lines.push(`${name}${labelsText({ ...labels, value: item.value })} 1`);
        } else if (!histogram) {
          lines.push(`${name}${labelsText(labels)} ${num(item.value)}`);
        } else {
          if (summary) {
            for (const [q, v] of Object.entries(item.quantiles ?? {})) lines.push(`${name}${labelsText({ ...labels, quantile: q })} ${num(v)}`);
          } else {
            for (const [le, v] of Object.entries(item.buckets ?? {})) lines.push(`${name}_bucket${labelsText({ ...labels, le })} ${num(v)}`);
            lines.push(`${name}_bucket${labelsText({ ...labels, le: "+Inf" })} ${num(item.count)}`);
          }
          lines.push(`${name}_sum${labelsText(labels)} ${num(item.sum)}`, `${name}_count${labelsText(labels)} ${num(item.count)}`);
        }
      }
    }
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
  }
}

/** Prometheus's name for a Moleculer metric: `_total` for counters only. */
function familyName(metric: MoleculerMetric, taken: Set<string>): string {
  const base = metric.name.replace(/[^a-zA-Z0-9_:]/g, "_");
  if (metric.type === "counter") return base.endsWith("_total") ? base : `${base}_total`;
  if (!base.endsWith("_total")) return base;
  const stripped = base.slice(0, -"_total".length);
  // `process.memory.heap.size.total` is a size, not a count: the name without `_total`, unless taken.
  return taken.has(stripped) ? `${stripped}_all` : stripped;
}

/** `nodeID` → `node_id`, `heapSpace` → `heap_space`: label names as Prometheus writes them. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").replace(/[^a-zA-Z0-9_]/g, "_").toLowerCase();
}

function labelsText(labels: Record<string, unknown>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${snakeCase(k)}="${escapeLabelValue(String(v))}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function num(value: unknown): string {
  return typeof value === "number" ? String(value) : "NaN";
}
