/**
 * The inbox's live feed: which of a tenant's conversations changed, pushed to the agents watching
 * (GET /v1/admin/conversations/live), so lists and badges update without a reload.
 *
 * Whichever node hears a conversation event (events are balanced: one node per event) notes the
 * tenant and conversation, and at most every FLUSH_MS broadcasts what changed to every node, whose
 * watchers of that tenant then hear it. Batching keeps a busy tenant's turns from costing one
 * broadcast each; the feed says only *which* conversations changed, and the page reads them again
 * through the API, so nothing a watcher may not read travels in it.
 */
import type { ServiceBroker } from "moleculer";

export const INBOX_CHANGED = "inbox.changed";
const FLUSH_MS = 300;

export type InboxChange = { tenantId: string; sessionIds: string[]; handoffs: boolean };
type Watcher = (change: InboxChange) => void;

function createInboxFeed(broker: ServiceBroker) {
  const watchers = new Map<string, Set<Watcher>>();
  const pending = new Map<string, { sessionIds: Set<string>; handoffs: boolean }>();
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    timer = undefined;
    const changes = [...pending].map(([tenantId, p]) => ({ tenantId, sessionIds: [...p.sessionIds].slice(0, 200), handoffs: p.handoffs }));
    pending.clear();
    for (const change of changes) void broker.broadcast(INBOX_CHANGED, change);
  }

  return {
    /** A conversation of the tenant changed (`handoff`: its handoff did, so badges count again). */
    note(tenantId: string, sessionId: string, handoff = false): void {
      let entry = pending.get(tenantId);
      if (!entry) pending.set(tenantId, (entry = { sessionIds: new Set(), handoffs: false }));
      entry.sessionIds.add(sessionId);
      entry.handoffs ||= handoff;
      timer ??= setTimeout(flush, FLUSH_MS);
    },
    /** A broadcast from any node: this node's watchers of the tenant hear it. */
    deliver(change: InboxChange): void {
      for (const watcher of watchers.get(change.tenantId) ?? []) watcher(change);
    },
    watch(tenantId: string, watcher: Watcher): () => void {
      let set = watchers.get(tenantId);
      if (!set) watchers.set(tenantId, (set = new Set()));
      set.add(watcher);
      return () => {
        set.delete(watcher);
        if (set.size === 0) watchers.delete(tenantId);
      };
    },
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending.clear();
    },
  };
}
export type InboxFeed = ReturnType<typeof createInboxFeed>;

const feeds = new WeakMap<ServiceBroker, InboxFeed>();

/** This node's feed: the handoff service notes and delivers, the live route watches. */
export function inboxFeedOf(broker: ServiceBroker): InboxFeed {
  let feed = feeds.get(broker);
  if (!feed) feeds.set(broker, (feed = createInboxFeed(broker)));
  return feed;
}
