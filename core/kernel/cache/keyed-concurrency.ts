/**
 * How much work one key (a tenant) may have in progress on this node: `concurrency` at once, and
 * up to `queue` more waiting their turn in order. Beyond that `acquire` refuses at once, with an
 * estimate of when a place frees up, so the caller answers 429 with Retry-After instead of letting
 * one tenant's backlog grow into everyone's slowdown. Counts live in this node's memory: a
 * cluster's bound is this times the nodes that serve the work.
 */
export type KeyedConcurrency = {
  /** A permit, or `{ refused }` when the key's running and waiting places are all taken. */
  acquire(key: string): Promise<Permit | { refused: { running: number; waiting: number; retryAfterSeconds: number } }>;
  /** Running and waiting work of a key. */
  load(key: string): { running: number; waiting: number };
};

export type Permit = {
  /** Gives the place back (once; later calls do nothing). */
  release(): void;
  /** Keeps the place until `task` settles, however it ends; `release` then does nothing. */
  holdUntil(task: Promise<unknown>): void;
};

type Lane = { running: number; waiting: (() => void)[] };

export function createKeyedConcurrency(limits: { concurrency: number; queue: number }): KeyedConcurrency {
  const lanes = new Map<string, Lane>();
  // A running average of how long a permit is held, for Retry-After: about when one frees up.
  let averageHoldMs = 1000;

  function permit(key: string, lane: Lane): Permit {
    const since = Date.now();
    let released = false;
    let held = false;
    const release = () => {
      if (released) return;
      released = true;
      averageHoldMs = averageHoldMs * 0.8 + (Date.now() - since) * 0.2;
      const next = lane.waiting.shift();
      if (next) return next(); // the place passes straight to the next in line
      lane.running--;
      if (lane.running === 0) lanes.delete(key);
    };
    return {
      release: () => {
        if (!held) release();
      },
      holdUntil(task) {
        held = true;
        void task.then(release, release);
      },
    };
  }

  return {
    async acquire(key) {
      let lane = lanes.get(key);
      if (!lane) lanes.set(key, (lane = { running: 0, waiting: [] }));
      if (lane.running < limits.concurrency) {
        lane.running++;
        return permit(key, lane);
      }
      if (lane.waiting.length >= limits.queue) {
        const ahead = lane.waiting.length + 1;
        const retryAfterSeconds = Math.min(300, Math.max(1, Math.ceil((averageHoldMs * ahead) / limits.concurrency / 1000)));
        return { refused: { running: lane.running, waiting: lane.waiting.length, retryAfterSeconds } };
      }
      const current = lane;
      await new Promise<void>((resolve) => current.waiting.push(resolve));
      return permit(key, current);
    },
    load(key) {
      const lane = lanes.get(key);
      return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
    },
  };
}
