/**
 * A circuit breaker per target: after `threshold` failures in a row the circuit opens and calls
 * are refused at once for `resetMs`; then one trial call is let through (half-open): success
 * closes the circuit, failure opens it again.
 *
 * Webhook nodes key it by tenant and host (`tenant|host:port`), so one tenant's broken (or
 * hostile) target cannot trip the circuit for another tenant calling the same host.
 */
export type CircuitOptions = { threshold: number; resetMs: number };
type Circuit = { failures: number; openedAt: number | undefined; trial: boolean };

export type CircuitBreakers = {
  /** False when the circuit is open (the call must not be made). */
  allow(key: string, options: CircuitOptions): boolean;
  success(key: string): void;
  failure(key: string, options: CircuitOptions): void;
  state(key: string): "closed" | "open" | "half-open";
};

export function createCircuitBreakers(now: () => number = Date.now, maxCircuits = 10_000): CircuitBreakers {
  const circuits = new Map<string, Circuit>();
  const get = (key: string): Circuit => {
    let circuit = circuits.get(key);
    if (!circuit) {
      if (circuits.size >= maxCircuits) circuits.delete(circuits.keys().next().value as string);
      circuit = { failures: 0, openedAt: undefined, trial: false };
      circuits.set(key, circuit);
    }
    return circuit;
  };
  return {
    allow(key, options) {
      const circuit = circuits.get(key);
      if (!circuit || circuit.openedAt === undefined) return true;
      if (now() - circuit.openedAt < options.resetMs || circuit.trial) return false;
      circuit.trial = true;
      return true;
    },
    success(key) {
      circuits.delete(key);
    },
    failure(key, options) {
      const circuit = get(key);
      circuit.failures++;
      if (circuit.trial || circuit.failures >= options.threshold) { circuit.openedAt = now(); circuit.trial = false; }
    },
    state(key) {
      const circuit = circuits.get(key);
      if (!circuit || circuit.openedAt === undefined) return "closed";
      return circuit.trial ? "half-open" : "open";
    },
  };
}
