import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import type { ServiceBroker } from "moleculer";
import pg from "pg";

/**
 * What a request costs in units rather than time, counted while `on` is set: broker calls (every
 * `ctx.call` goes through `broker.call`), broker events, and statements sent to PostgreSQL (every
 * MikroORM statement goes through a pooled `pg` client). Benches print them per request beside
 * their rates, so a change that saves a round trip shows as a number that does not depend on how
 * busy the machine is.
 */
export type WorkCounts = {
  on: boolean; calls: number; events: number; statements: number; statementMs: number;
  /** CPU time of this thread (the node's main thread) while counting, in µs: unlike a rate, barely moved by a busy machine. */
  cpuMicros: number;
  /** Starts counting (and this thread's CPU clock). */
  begin(): void;
  /** Stops counting. */
  end(): void;
};

export function countWork(broker: ServiceBroker): WorkCounts {
  let cpuAtBegin = 0;
  const threadCpu = () => { const { user, system } = process.threadCpuUsage(); return user + system; };
  const counts: WorkCounts = {
    on: false, calls: 0, events: 0, statements: 0, statementMs: 0, cpuMicros: 0,
    begin() { counts.on = true; cpuAtBegin = threadCpu(); },
    end() { counts.on = false; counts.cpuMicros += threadCpu() - cpuAtBegin; },
  };
  const call = broker.call.bind(broker);
  const emit = broker.emit.bind(broker);
  broker.call = ((...args: Parameters<typeof call>) => { if (counts.on) counts.calls++; return call(...args); }) as typeof broker.call;
  broker.emit = ((...args: Parameters<typeof emit>) => { if (counts.on) counts.events++; return emit(...args); }) as typeof broker.emit;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const result = (query as (...a: unknown[]) => unknown).apply(this, args);
    if (counts.on) {
      counts.statements++;
      // From the statement's send to its answer: what a turn waits for the database.
      const sent = performance.now();
      if (result && typeof (result as Promise<unknown>).then === "function") void (result as Promise<unknown>).then(() => { counts.statementMs += performance.now() - sent; }, () => undefined);
    }
    return result;
  } as typeof query;
  return counts;
}

/** A CPU profile of this thread that records only between `resume` and `pause` (e.g. the platform's rounds, not the baseline's). */
export async function startProfiler(): Promise<{ resume(): Promise<void>; pause(): Promise<void>; save(file: string): Promise<string> }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 500 });
  type Profile = { nodes: unknown[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const parts: Profile[] = [];
  return {
    async resume() { await session.post("Profiler.start"); },
    async pause() { parts.push((await session.post("Profiler.stop")).profile as unknown as Profile); },
    async save(file) {
      // One file per recorded stretch would be awkward to read; the longest one stands for the run.
      const longest = parts.sort((a, b) => b.samples.length - a.samples.length)[0];
      writeFileSync(file, JSON.stringify(longest));
      session.disconnect();
      return file;
    },
  };
}
