import type { ServiceBroker } from "moleculer";
import type { Logger } from "../../kernel/observability/logger.ts";
import { decideRetry, describeFailure, retryDelay, type InboundFailure, type InboundRetryPolicy } from "./inbound-retry.ts";

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

/**
 * What the queue does with a job that failed for good: store it as a dead letter (see
 * dead-letter-store.ts). Resolves true once stored, false when there is no tenant to keep it for;
 * throws when it could not be stored now (the job is then kept in the queue and tried again).
 */
export type DeadLetterSink = (job: InboundJob, failure: InboundFailure, attempts: number, firstReceivedAt?: Date) => Promise<boolean>;

export type InboundConsumerOptions = {
  /** Runs one job: the target action, with the turn's time limit. */
  run(job: InboundJob): Promise<unknown>;
  deadLetter: DeadLetterSink;
  policy: InboundRetryPolicy;
  logger: Logger;
};

/** A JetStream message as the NATS adapter of @moleculer/channels hands it to the handler. */
type JetStreamMessage = { working?(): void; nak?(millis?: number): void; info?: { redeliveryCount?: number; timestampNanos?: number } };

/** The `channels` section of the service that consumes the stream (any node may take a job). */
export function inboundChannelHandlers(options: InboundConsumerOptions, step: () => Promise<void> | undefined = () => undefined): Record<string, unknown> {
  const { logger, policy } = options;
  return {
    [INBOUND_CHANNEL]: {
      group: INBOUND_CONSUMER,
      // The handler decides retries and dead letters itself (see inbound-retry.ts) and never throws;
      // were it to, the adapter would nak at once rather than drop (it drops after `maxRetries`).
      maxRetries: Number.MAX_SAFE_INTEGER,
      maxInFlight: 8,
      nats: { consumerOptions: { config: { ack_wait: INBOUND_ACK_WAIT_MS * 1_000_000 } } },
      // Returning acknowledges the message (the adapter acks; after our own nak that ack is a no-op).
      async handler(job: InboundJob, raw?: JetStreamMessage) {
        // Progress acks: a turn however long keeps its message, and a node that dies gives it up within INBOUND_ACK_WAIT_MS.
        const working = setInterval(() => raw?.working?.(), INBOUND_ACK_WAIT_MS / 3);
        const attempt = raw?.info?.redeliveryCount ?? 1;
        try {
          // A webhook waiting for its acknowledgement goes first (see ack-priority.ts).
          await step();
          await options.run(job);
        } catch (error) {
          const decision = decideRetry(policy, attempt, error);
          if ("retryInMs" in decision) {
            logger.warn({ err: error, target: job.target, key: job.key, attempt, retryInMs: decision.retryInMs }, "inbound channel event failed; it will be tried again");
            raw?.nak?.(decision.retryInMs);
            return;
          }
          const receivedAt = raw?.info?.timestampNanos ? new Date(Math.floor(raw.info.timestampNanos / 1e6)) : undefined;
          try {
            const kept = await options.deadLetter(job, decision.deadLetter, attempt, receivedAt);
            logger.error({ err: error, target: job.target, key: job.key, attempt, code: decision.deadLetter.code }, kept ? "inbound channel event moved to the dead letters" : "inbound channel event failed for good and names no bot to keep it for; dropped");
          } catch (sinkError) {
            // Not acknowledged before the dead letter is stored: the queue keeps it and it comes back.
            logger.error({ err: sinkError, target: job.target, attempt }, "inbound channel event could not be stored as a dead letter; kept in the queue");
            raw?.nak?.(retryDelay(policy, Number.MAX_SAFE_INTEGER));
          }
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
 * session and the event loop that acknowledges the next webhooks), a failing job is retried on the
 * same schedule as on JetStream and then becomes a dead letter, and `stop` drains what was
 * accepted: a job waiting for its next attempt becomes a dead letter at once (NODE_STOPPING), as a
 * process that stops cannot keep it, and an admin replays it after the restart.
 */
export function createMemoryQueue(options: InboundConsumerOptions, concurrency = 8): InboundQueue {
  const { logger, policy } = options;
  const chains = new Map<string, Promise<void>>();
  let stopped = false;
  let running = 0;
  let accepted = 0;
  const waiting: (() => void)[] = [];
  const sleepers = new Set<() => void>();

  async function limited(job: InboundJob): Promise<void> {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      await options.run(job);
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  /** Waits `ms`, or less when the queue stops. */
  function sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  }

  async function keep(job: InboundJob, failure: InboundFailure, attempts: number, receivedAt: Date, error: unknown): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        const kept = await options.deadLetter(job, failure, attempts, receivedAt);
        logger.error({ err: error, target: job.target, key: job.key, attempts, code: failure.code }, kept ? "inbound channel event moved to the dead letters" : "inbound channel event failed for good and names no bot to keep it for; dropped");
        return;
      } catch (sinkError) {
        if (stopped) {
          logger.error({ err: sinkError, target: job.target, key: job.key, job }, "inbound channel event lost: it could not be stored as a dead letter before the node stopped");
          return;
        }
        logger.error({ err: sinkError, target: job.target }, "inbound channel event could not be stored as a dead letter; trying again");
        await sleep(retryDelay(policy, tries));
      }
    }
  }

  async function attempt(job: InboundJob): Promise<void> {
    const receivedAt = new Date();
    for (let tries = 1; ; tries++) {
      try {
        await limited(job);
        return;
      } catch (error) {
        const decision = decideRetry(policy, tries, error);
        if ("deadLetter" in decision) return keep(job, decision.deadLetter, tries, receivedAt, error);
        if (stopped) return keep(job, { code: "NODE_STOPPING", reason: `The node stopped before the next attempt; last failure: ${describeFailure(error).reason}` }, tries, receivedAt, error);
        logger.warn({ err: error, target: job.target, key: job.key, attempt: tries, retryInMs: decision.retryInMs }, "inbound channel event failed; it will be tried again");
        await sleep(decision.retryInMs);
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
      for (const wake of [...sleepers]) wake();
      await Promise.allSettled([...chains.values()]);
    },
    depth: () => accepted,
  };
}
