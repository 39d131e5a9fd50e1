import type { ServiceBroker } from "moleculer";
import type { Logger } from "../../kernel/observability/logger.ts";

/**
 * The durable hand-off between a vendor webhook and the conversation turn it causes. A webhook is
 * acknowledged to the vendor as soon as its event is in the queue; the queue acknowledges the event
 * only after the target action (the turn, committed to the session store) has returned, so nothing
 * the vendor saw acknowledged is lost when a node dies mid-turn.
 *
 * With a transporter the queue is a NATS JetStream stream (through @moleculer/channels); on the
 * embedded default it is in process, which is as durable as that single process.
 */
export type InboundJob = {
  /** The action that processes the event, e.g. a channel plugin's `processInbound`. */
  target: string;
  params: Record<string, unknown>;
  /** Events with the same key (one end user of one bot) are processed in arrival order. */
  key: string;
};

export type InboundQueue = {
  publish(job: InboundJob): Promise<void>;
  /** Waits for what is in flight, then stops taking work. */
  stop(): Promise<void>;
  /**
   * Jobs accepted and not yet finished: this process's own (the in-process queue), or the whole
   * cluster's as JetStream counts them for the shared consumer (pending plus unacknowledged).
   * Undefined when it cannot be told now.
   */
  depth?(): number | undefined | Promise<number | undefined>;
};

/** Its subject; @moleculer/channels puts the broker's namespace in front, so each cluster on a NATS server has its own stream. */
export const INBOUND_CHANNEL = "channels.inbound";
export const INBOUND_MAX_ATTEMPTS = 5;

/** The names @moleculer/channels gives the stream (the prefixed subject, dots as underscores) and the durable consumer. */
const streamOf = (namespace: string) => (namespace ? `${namespace}.${INBOUND_CHANNEL}` : INBOUND_CHANNEL).split(".").join("_");
const INBOUND_CONSUMER = "channel-inbound-workers";

type ConsumerCounts = { num_pending: number; num_ack_pending: number };
type ChannelAdapter = { manager?: { consumers: { info(stream: string, consumer: string): Promise<ConsumerCounts> } } };

/** JetStream through @moleculer/channels: the consumer is declared by `inboundChannelHandlers`. */
export function createJetStreamQueue(broker: ServiceBroker, namespace: string): InboundQueue {
  const send = (broker as unknown as { sendToChannel(name: string, payload: unknown): Promise<void> }).sendToChannel;
  return {
    async publish(job) {
      await send.call(broker, INBOUND_CHANNEL, job);
    },
    async stop() {},
    // Asked of JetStream at each scrape: every node reports the one shared backlog (a sum across nodes would count it once per node).
    async depth() {
      const manager = (broker as unknown as { channelAdapter?: ChannelAdapter }).channelAdapter?.manager;
      if (!manager) return undefined;
      try {
        const info = await manager.consumers.info(streamOf(namespace), INBOUND_CONSUMER);
        return info.num_pending + info.num_ack_pending;
      } catch {
        // No consumer yet (no node has subscribed), or JetStream is unreachable for now.
        return undefined;
      }
    },
  };
}

/**
 * How long JetStream waits for a consumer's ack before it hands the message to another: the
 * handler says it is still working every third of it, so this bounds how late a dead node's
 * messages are taken over, never how long a live turn may take. (It is set when the durable
 * consumer is created; a consumer that already exists keeps its own.)
 */
export const INBOUND_ACK_WAIT_MS = 10_000;

/** The `channels` section of the service that consumes the stream (any node may take a job). */
export function inboundChannelHandlers(broker: () => ServiceBroker, logger: Logger, step: () => Promise<void> | undefined = () => undefined): Record<string, unknown> {
  return {
    [INBOUND_CHANNEL]: {
      group: INBOUND_CONSUMER,
      maxRetries: INBOUND_MAX_ATTEMPTS,
      maxInFlight: 8,
      nats: { consumerOptions: { config: { ack_wait: INBOUND_ACK_WAIT_MS * 1_000_000 } } },
      // A throw leaves the message unacknowledged: JetStream redelivers it, to this node or another.
      async handler(job: InboundJob, raw?: { working?(): void }) {
        const working = setInterval(() => raw?.working?.(), INBOUND_ACK_WAIT_MS / 3);
        try {
          // A webhook waiting for its acknowledgement goes first (see ack-priority.ts).
          await step();
          await broker().call(job.target, job.params);
        } catch (error) {
          logger.warn({ err: error, target: job.target }, "inbound channel event failed; it will be redelivered");
          throw error;
        } finally {
          clearInterval(working);
        }
      },
    },
  };
}

/**
 * In-process queue for the embedded default: per-key chains keep one user's messages in order, at
 * most `concurrency` jobs run at once (so a burst queues here instead of crowding the one database
 * session and the event loop that acknowledges the next webhooks), a failing job is retried with
 * backoff, and `stop` drains what was accepted.
 */
export function createMemoryQueue(run: (job: InboundJob) => Promise<unknown>, logger: Logger, baseDelayMs = 200, concurrency = 8): InboundQueue {
  const chains = new Map<string, Promise<void>>();
  let stopped = false;
  let running = 0;
  let accepted = 0;
  const waiting: (() => void)[] = [];

  async function limited(job: InboundJob): Promise<void> {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      await run(job);
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  async function attempt(job: InboundJob): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await limited(job);
        return;
      } catch (error) {
        const retryable = (error as { retryable?: boolean }).retryable !== false;
        if (!retryable || tries >= INBOUND_MAX_ATTEMPTS || stopped) {
          logger.error({ err: error, target: job.target, tries }, "inbound channel event dropped after its last attempt");
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, baseDelayMs * 2 ** (tries - 1)));
      }
    }
  }

  return {
    async publish(job) {
      const previous = chains.get(job.key) ?? Promise.resolve();
      // Started on a later turn of the event loop, so the webhook's answer goes out before the work begins.
      const next = previous.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => attempt(job));
      chains.set(job.key, next);
      accepted++;
      void next.finally(() => {
        accepted--;
        if (chains.get(job.key) === next) chains.delete(job.key);
      });
    },
    async stop() {
      stopped = true;
      await Promise.allSettled([...chains.values()]);
    },
    depth: () => accepted,
  };
}
