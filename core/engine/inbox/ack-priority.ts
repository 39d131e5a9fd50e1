import { performance } from "node:perf_hooks";

/**
 * Webhook acknowledgements before turns, on one node's event loop.
 *
 * On a clustered node a webhook is answered only when JetStream's PubAck for its event comes back,
 * which is a second wait on the event loop after the request itself. Queued turns do their work on
 * the same loop: when many are in progress, every I/O callback of theirs that lands first (a
 * database row, a vendor API answer, a delivered event) runs before the PubAck is read, and the
 * vendor's acknowledgement waits behind work that nobody is waiting for. Here every turn step
 * (a database statement, a plugin call) takes its turn: one step per turn of the event loop, so a
 * webhook that arrives in between is read before the next step, and none while an acknowledgement
 * waits for its PubAck. Turns then lag behind a burst (their events stay in the durable queue)
 * instead of the answers; on an idle loop a step waits only for one pass of it.
 *
 * Taking turns is not enough when the turns alone would fill the loop: a webhook then arrives into
 * a pass already full of their I/O callbacks. So while webhooks are arriving and the loop was more
 * than `ceiling` busy over the last window, the next step waits a millisecond instead of a pass,
 * leaving the loop idle often enough for a request to be read at once. This paces the CPU the turns
 * take, not how many are in flight: a turn waiting on a slow vendor API costs the loop nothing.
 */
export type AckPriority = {
  /** Runs an acknowledgement's wait (the queue's publish): turns hold their next step until it ends. */
  acknowledging<T>(work: () => Promise<T>): Promise<T>;
  /** A turn's step boundary: resolves when it is this step's turn. */
  step(): Promise<void>;
};

/**
 * Under webhooks that never stop overlapping, turns still move: one held step goes on every
 * `maxHoldMs` whatever waits (a turn that never moved would hold its claim until it expired).
 * `ceiling` is the share of the loop turns may keep busy while webhooks arrive, over `windowMs`.
 */
export function createAckPriority(options: { maxHoldMs?: number; ceiling?: number; windowMs?: number } = {}): AckPriority {
  const { maxHoldMs = 20, ceiling = 0.65, windowMs = 20 } = options;
  let waiting = 0;
  const held: (() => void)[] = [];
  let scheduled = false;
  let overdue: NodeJS.Timeout | undefined;
  let lastAcknowledgement = -Infinity;
  let windowUsage = performance.eventLoopUtilization();
  let windowStart = performance.now();
  let crowded = false;

  // Measured over whole windows: one pass says nothing about how busy the loop is.
  function loopCrowded(): boolean {
    const now = performance.now();
    if (now - lastAcknowledgement > 5 * windowMs) return false;
    if (now - windowStart >= windowMs) {
      crowded = performance.eventLoopUtilization(windowUsage).utilization > ceiling;
      windowUsage = performance.eventLoopUtilization();
      windowStart = now;
    }
    return crowded;
  }

  // One held step per check phase: the poll phase between two of them takes any new webhook first.
  function release(): void {
    scheduled = false;
    if (waiting > 0) return;
    held.shift()?.();
    schedule();
  }
  function schedule(): void {
    if (held.length === 0) return;
    if (waiting > 0) {
      overdue ??= setTimeout(releaseOverdue, maxHoldMs).unref();
      return;
    }
    if (scheduled) return;
    scheduled = true;
    if (loopCrowded()) setTimeout(release, 1);
    else setImmediate(release);
  }
  function releaseOverdue(): void {
    overdue = undefined;
    held.shift()?.();
    schedule();
  }

  return {
    async acknowledging(work) {
      waiting++;
      lastAcknowledgement = performance.now();
      try {
        return await work();
      } finally {
        waiting--;
        schedule();
      }
    },
    step() {
      // Even with no acknowledgement waiting: a step let through at once would run in the same pass
      // as the I/O callback that reached it, and a webhook read in that pass would wait behind it.
      return new Promise<void>((resolve) => {
        held.push(resolve);
        schedule();
      });
    },
  };
}
