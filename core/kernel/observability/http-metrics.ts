/**
 * Request counts and latency for the gateway, kept in plain arrays and rendered as Prometheus
 * text beside the broker's metrics. Moleculer's metric registry hashes label sets on every
 * update, which cost the gateway a third of its throughput on the hot path; this costs a Map lookup.
 */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Series = { labels: string; count: number; sum: number; buckets: number[] };

export class HttpMetrics {
  readonly #requests = new Map<string, { labels: string; count: number }>();
  readonly #latency = new Map<string, Series>();
  readonly #defaultLabels: string;

  constructor(defaultLabels: Record<string, string>) {
    this.#defaultLabels = Object.entries(defaultLabels).map(([k, v]) => `${k}="${escape(v)}"`).join(",");
  }

  record(method: string, route: string, status: number, seconds: number): void {
    const requestKey = `${method} ${route} ${status}`;
    let counter = this.#requests.get(requestKey);
    if (!counter) {
      counter = { labels: `${this.#defaultLabels},method="${method}",route="${escape(route)}",status="${status}"`, count: 0 };
      this.#requests.set(requestKey, counter);
    }
    counter.count++;
    const latencyKey = `${method} ${route}`;
    let series = this.#latency.get(latencyKey);
    if (!series) {
      series = { labels: `${this.#defaultLabels},method="${method}",route="${escape(route)}"`, count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      this.#latency.set(latencyKey, series);
    }
    series.count++;
    series.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) series.buckets[i]++;
  }

  render(): string {
    const lines = ["# HELP http_requests_total HTTP requests answered", "# TYPE http_requests_total counter"];
    for (const c of this.#requests.values()) lines.push(`http_requests_total{${c.labels}} ${c.count}`);
    lines.push("# HELP http_request_duration_seconds HTTP request latency", "# TYPE http_request_duration_seconds histogram");
    for (const s of this.#latency.values()) {
      BUCKETS.forEach((le, i) => lines.push(`http_request_duration_seconds_bucket{${s.labels},le="${le}"} ${s.buckets[i]}`));
      lines.push(`http_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}`);
      lines.push(`http_request_duration_seconds_sum{${s.labels}} ${s.sum}`);
      lines.push(`http_request_duration_seconds_count{${s.labels}} ${s.count}`);
    }
    return lines.join("\n") + "\n";
  }
}

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
