/**
 * Webhook acknowledgements before turns, on one node's event loop.
 *
 * On a clustered node a webhook is answered only when JetStream's PubAck for its event comes back,
 * which is a second wait on the event loop after the request itself. Queued turns do their work on
 * the same loop: when many are in progress, every I/O callback of theirs that lands first (a
 * database row, a Graph API answer, a delivered event) runs before the PubAck is read, and the
 * vendor's acknowledgement waits behind work that nobody is waiting for. Here every turn step
 * (a database statement, a plugin call) takes its turn: one step per turn of the event loop, so a
 * webhook that arrives in between is read before the next step, and none while an acknowledgement
 * waits for its PubAck. Turns then lag behind a burst (their events stay in the durable queue)
 * instead of the answers; on an idle loop a step waits only for one pass of it.
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
 */
export function createAckPriority(maxHoldMs = 20): AckPriority {
  let waiting = 0;
  const held: (() => void)[] = [];
  let scheduled = false;
  let overdue: NodeJS.Timeout | undefined;

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
    setImmediate(release);
  }
  function releaseOverdue(): void {
    overdue = undefined;
    held.shift()?.();
    schedule();
  }

  return {
    async acknowledging(work) {
      waiting++;
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
