/**
 * Live turns: the provisional text of a turn (an LLM's tokens) on its way to the HTTP request that
 * watches it, before the turn commits.
 *
 * The request may be held by one node while the turn, `ai.respond` and the LLM provider each run
 * on another. So the watcher is named by a small serializable handle, `{ nodeID, streamId }`,
 * passed along in `ctx.meta.stream` (plus `index`: which outbound message of the turn the text
 * belongs to). Whoever produces text opens a sink on the handle; its events go to the watcher's
 * node with a direct call (`conversations.streamEvents` on that node), or straight to the
 * listener when the watcher is on this node (the embedded default: no hop at all).
 *
 * Order: a sink sends one batch at a time and coalesces what piles up meanwhile, so its events
 * arrive in order, and `flush()` resolves once they are all delivered. Every producer flushes
 * before it answers its caller, so events from different sinks arrive in causal order too (the
 * provider's tokens before the responder's `reset`, the responder's before the engine's).
 *
 * Nothing here is durable or retried: a lost event costs only provisional text, and the committed
 * turn's messages, sent after it, always win.
 */
import type { ServiceBroker } from "moleculer";

/** Where a live turn's events go; travels in `ctx.meta.stream`. */
export type StreamHandle = { nodeID: string; streamId: string; index?: number };

export type StreamEvent = { type: "delta"; index: number; text: string } | { type: "reset"; index?: number };

/** A producer's end of a live turn. */
export type StreamSink = {
  readonly handle: StreamHandle;
  /** More text of message `index` (the handle's index when omitted). */
  delta(text: string, index?: number): void;
  /** Drop the provisional text of message `index` (the handle's), or of the whole turn with `"turn"`. */
  reset(scope?: number | "turn"): void;
  /** Resolves when every event so far has been delivered (or given up on). */
  flush(): Promise<void>;
};

type Listener = (event: StreamEvent) => void;

/** The action every node serves to receive its watchers' events (see conversations.service.ts). */
export const STREAM_EVENTS_ACTION = "conversations.streamEvents";

const listeners = new WeakMap<ServiceBroker, Map<string, Listener>>();

function listenersOf(broker: ServiceBroker): Map<string, Listener> {
  let map = listeners.get(broker);
  if (!map) listeners.set(broker, (map = new Map()));
  return map;
}

/** Watches a turn on this node: pass `handle` in the turn's call meta, `close()` when it has answered. */
export function listenTurnStream(broker: ServiceBroker, listener: Listener): { handle: StreamHandle; close(): void } {
  const streamId = crypto.randomUUID();
  const map = listenersOf(broker);
  map.set(streamId, listener);
  return { handle: { nodeID: broker.nodeID, streamId }, close: () => void map.delete(streamId) };
}

/** Hands events that arrived for a watcher on this node to it; events for a closed watcher are dropped. */
export function deliverStreamEvents(broker: ServiceBroker, streamId: string, events: readonly StreamEvent[]): void {
  const listener = listenersOf(broker).get(streamId);
  if (!listener) return;
  for (const event of events) listener(event);
}

export function isStreamHandle(value: unknown): value is StreamHandle {
  const v = value as Partial<StreamHandle> | null | undefined;
  return typeof v?.nodeID === "string" && typeof v.streamId === "string" && (v.index === undefined || Number.isInteger(v.index));
}

/** A sink on `handle` (anything from `ctx.meta.stream`), or undefined when nobody watches. */
export function openStreamSink(broker: ServiceBroker, value: unknown): StreamSink | undefined {
  if (!isStreamHandle(value)) return undefined;
  const handle = value;
  const local = handle.nodeID === broker.nodeID;
  let queue: StreamEvent[] = [];
  let pumping: Promise<void> | undefined;
  let dead = false;

  async function pump(): Promise<void> {
    while (queue.length > 0 && !dead) {
      const events = coalesce(queue);
      queue = [];
      try {
        await broker.call(STREAM_EVENTS_ACTION, { streamId: handle.streamId, events }, { nodeID: handle.nodeID, timeout: 5000, retries: 0 });
      } catch {
        // The watcher's node is gone or slow: the committed reply still reaches whoever is left.
        dead = true;
      }
    }
    pumping = undefined;
  }

  function push(event: StreamEvent): void {
    if (dead) return;
    if (local) return deliverStreamEvents(broker, handle.streamId, [event]);
    queue.push(event);
    pumping ??= pump();
  }

  return {
    handle,
    delta(text, index = handle.index ?? 0) {
      if (text) push({ type: "delta", index, text });
    },
    reset(scope) {
      push(scope === "turn" ? { type: "reset" } : { type: "reset", index: scope ?? handle.index ?? 0 });
    },
    flush: async () => {
      while (pumping) await pumping;
    },
  };
}

/** Joins consecutive deltas of one message, so a slow hop carries fewer, larger events. */
function coalesce(events: readonly StreamEvent[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const event of events) {
    const last = out.at(-1);
    if (event.type === "delta" && last?.type === "delta" && last.index === event.index) out[out.length - 1] = { ...last, text: last.text + event.text };
    else out.push(event);
  }
  return out;
}
