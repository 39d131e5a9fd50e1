/**
 * The platform's own figures (turns, node runs, sends, deliveries, LLM calls...), kept where the
 * events happen and rendered as Prometheus text at GET /metrics beside the broker's.
 *
 * Shaped like prom-client (families with label names; `labels(...)` gives a child), but a child
 * holds its numbers itself: a caller resolves it once (or per label value, one Map lookup) and then
 * an increment is an addition. prom-client was weighed and lost on the hot path: its children hash
 * the label set again on every `inc`/`observe`, and its registry renders asynchronously, apart from
 * Moleculer's, which /metrics already serves. Moleculer's own registry hashes on every update too
 * (see http-metrics.ts).
 */
export type CounterChild = { inc(by?: number): void; readonly value: number };
export type GaugeChild = { set(value: number): void; inc(by?: number): void; readonly value: number };
export type HistogramChild = { observe(value: number): void };

type Kind = "counter" | "gauge" | "histogram";
type Family = { name: string; help: string; kind: Kind; labelNames: readonly string[] };

/** Latency buckets in seconds, from a millisecond to a minute. */
export const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelText(names: readonly string[], values: readonly string[]): string {
  return names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? "")}"`).join(",");
}

/** Children by label values: one value is its own key, several are joined by a byte no label holds. */
class Children<C> {
  readonly #byKey = new Map<string, { labels: string; child: C }>();
  readonly #names: readonly string[];
  readonly #make: () => C;

  constructor(names: readonly string[], make: () => C) {
    this.#names = names;
    this.#make = make;
  }

  get(values: readonly string[]): C {
    const key = values.length === 1 ? values[0]! : values.join("\u0000");
    let entry = this.#byKey.get(key);
    if (!entry) {
      if (values.length !== this.#names.length) throw new Error(`expected labels ${this.#names.join(", ")}, got ${values.length} values`);
      entry = { labels: labelText(this.#names, values), child: this.#make() };
      this.#byKey.set(key, entry);
    }
    return entry.child;
  }

  entries(): Iterable<{ labels: string; child: C }> {
    return this.#byKey.values();
  }
}

export class Counter {
  readonly #children: Children<CounterChild>;
  constructor(labelNames: readonly string[]) {
    this.#children = new Children(labelNames, () => {
      const child = { value: 0, inc(by = 1) { child.value += by; } };
      return child;
    });
  }
  /** The child for these label values (in the order of the label names); keep it where the event happens. */
  labels(...values: string[]): CounterChild {
    return this.#children.get(values);
  }
  render(lines: string[], name: string, defaults: string): void {
    for (const { labels, child } of this.#children.entries()) lines.push(`${name}{${join(defaults, labels)}} ${child.value}`);
  }
}

export class Gauge {
  readonly #children: Children<GaugeChild>;
  constructor(labelNames: readonly string[]) {
    this.#children = new Children(labelNames, () => {
      const child = { value: 0, set(v: number) { child.value = v; }, inc(by = 1) { child.value += by; } };
      return child;
    });
  }
  labels(...values: string[]): GaugeChild {
    return this.#children.get(values);
  }
  render(lines: string[], name: string, defaults: string): void {
    for (const { labels, child } of this.#children.entries()) lines.push(`${name}{${join(defaults, labels)}} ${child.value}`);
  }
}

export class Histogram {
  readonly #children: Children<HistogramChild & { count: number; sum: number; counts: number[] }>;
  readonly #buckets: readonly number[];
  constructor(labelNames: readonly string[], buckets: readonly number[]) {
    this.#buckets = buckets;
    this.#children = new Children(labelNames, () => {
      const child = {
        count: 0, sum: 0, counts: buckets.map(() => 0),
        observe(value: number) {
          child.count++;
          child.sum += value;
          // Non-cumulative here (one bucket per observation); render adds them up.
          for (let i = 0; i < buckets.length; i++) {
            if (value <= buckets[i]!) { child.counts[i]!++; return; }
          }
        },
      };
      return child;
    });
  }
  labels(...values: string[]): HistogramChild {
    return this.#children.get(values);
  }
  render(lines: string[], name: string, defaults: string): void {
    for (const { labels, child } of this.#children.entries()) {
      const base = join(defaults, labels);
      let cumulative = 0;
      this.#buckets.forEach((le, i) => {
        cumulative += child.counts[i]!;
        lines.push(`${name}_bucket{${join(base, `le="${le}"`)}} ${cumulative}`);
      });
      lines.push(`${name}_bucket{${join(base, 'le="+Inf"')}} ${child.count}`);
      lines.push(`${name}_sum{${base}} ${child.sum}`);
      lines.push(`${name}_count{${base}} ${child.count}`);
    }
  }
}

function join(a: string, b: string): string {
  return a && b ? `${a},${b}` : a || b;
}

/**
 * One node's families. Asking twice for the same name gives the same family (two services on a
 * node may count the same thing); asking for it as another kind or with other labels throws.
 */
export class MetricRegistry {
  readonly #families = new Map<string, Family & { metric: Counter | Gauge | Histogram }>();
  readonly #collectors: (() => Promise<void> | void)[] = [];

  counter(name: string, help: string, labelNames: readonly string[]): Counter {
    return this.#family(name, help, "counter", labelNames, () => new Counter(labelNames)) as Counter;
  }

  gauge(name: string, help: string, labelNames: readonly string[]): Gauge {
    return this.#family(name, help, "gauge", labelNames, () => new Gauge(labelNames)) as Gauge;
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[] = SECONDS_BUCKETS): Histogram {
    return this.#family(name, help, "histogram", labelNames, () => new Histogram(labelNames, buckets)) as Histogram;
  }

  /** Runs before each render: for figures read when asked (queue depths), not counted as they happen. */
  collect(collector: () => Promise<void> | void): () => void {
    this.#collectors.push(collector);
    return () => {
      const at = this.#collectors.indexOf(collector);
      if (at >= 0) this.#collectors.splice(at, 1);
    };
  }

  /** Prometheus text of every family that has a series, with `defaultLabels` on each. */
  async render(defaultLabels: Record<string, string>): Promise<string> {
    await Promise.all(this.#collectors.map(async (collect) => {
      try {
        await collect();
      } catch {
        // A figure that cannot be read now keeps its last value; the scrape still answers.
      }
    }));
    const defaults = labelText(Object.keys(defaultLabels), Object.values(defaultLabels));
    const lines: string[] = [];
    for (const family of this.#families.values()) {
      const series: string[] = [];
      family.metric.render(series, family.name, defaults);
      if (series.length === 0) continue;
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.kind}`, ...series);
    }
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
  }

  #family(name: string, help: string, kind: Kind, labelNames: readonly string[], make: () => Counter | Gauge | Histogram): Counter | Gauge | Histogram {
    const existing = this.#families.get(name);
    if (existing) {
      if (existing.kind !== kind || existing.labelNames.join() !== labelNames.join()) throw new Error(`metric ${name} is already a ${existing.kind} with labels ${existing.labelNames.join(", ")}`);
      return existing.metric;
    }
    const metric = make();
    this.#families.set(name, { name, help, kind, labelNames, metric });
    return metric;
  }
}

/** Work accepted and not yet done, by queue (`webhook_outbox`, `channel_inbound`...): one family every room shares. */
export function queueDepth(registry: MetricRegistry): Gauge {
  return registry.gauge("botplatform_queue_depth", "Work accepted and not yet done, by queue, read when scraped", ["queue"]);
}
