/**
 * The inbox, live: one stream per tab of `GET /v1/admin/conversations/live` (Server-Sent Events),
 * shared by the rail's badge and the Inbox page. The feed only says which conversations changed;
 * the affected queries are invalidated and read again through the API, so the page shows only
 * what the caller may read.
 *
 * Read with fetch rather than EventSource: a console signed in with a key sends it as a header,
 * which EventSource cannot (the same reason channels/web/widget/api.js reads its live stream so).
 */
import { useEffect, useSyncExternalStore } from "react";
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { currentCredentials } from "../api/client.ts";
import { inboxApi, inboxKeys } from "./api.ts";

/** `idle`: nobody follows the inbox; `offline`: the stream failed or was refused (it retries after a failure). */
export type LiveState = "idle" | "connecting" | "live" | "offline";
type Counts = { waiting: number; claimed: number };
type Change = { sessionIds?: unknown; handoffs?: unknown; counts?: unknown };

const PATH = "/v1/admin/conversations/live";
/** Pages mount and unmount the rail on every navigation: the stream outlives that blink. */
const LINGER_MS = 3000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15_000;
/**
 * At most one round of refetches this often: every request counts against the tenant's rate limit
 * (100 a minute on the free tier, shared with its widget), and a busy tenant changes several times
 * a second. The first change is read at once, a burst after it once more at the end.
 */
const MIN_GAP_MS = 1500;

const attached = new Map<QueryClient, number>();
const stateListeners = new Set<() => void>();
let state: LiveState = "idle";
let controller: AbortController | undefined;
let lingering: ReturnType<typeof setTimeout> | undefined;

function setState(next: LiveState): void {
  if (next === state) return;
  state = next;
  for (const listener of stateListeners) listener();
}

type Pending = { everything: boolean; sessionIds: Set<string> };
let pending: Pending | undefined;
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let lastFlush = 0;

/** Reads again what changed (only the queries on screen refetch; others are marked stale). */
function flush(): void {
  flushTimer = undefined;
  const due = pending;
  pending = undefined;
  if (!due) return;
  lastFlush = Date.now();
  for (const client of attached.keys()) {
    if (due.everything) {
      // The counts came with `ready`.
      void client.invalidateQueries({ queryKey: inboxKeys.all, predicate: (query) => query.queryKey[1] !== inboxKeys.counts[1] });
      continue;
    }
    void client.invalidateQueries({ queryKey: inboxKeys.lists });
    for (const id of due.sessionIds) void client.invalidateQueries({ queryKey: inboxKeys.conversation(id) });
  }
}

function isCounts(value: unknown): value is Counts {
  return typeof value === "object" && value !== null && typeof (value as Counts).waiting === "number" && typeof (value as Counts).claimed === "number";
}

/** The stream says how many wait whenever that changes: the badge needs no request of its own. */
function setCounts(counts: unknown): void {
  if (!isCounts(counts)) return;
  for (const client of attached.keys()) client.setQueryData(inboxKeys.counts, { waiting: counts.waiting, claimed: counts.claimed });
}

function invalidate(change: Change | "everything"): void {
  pending ??= { everything: false, sessionIds: new Set() };
  if (change === "everything") pending.everything = true;
  else if (Array.isArray(change.sessionIds)) for (const id of change.sessionIds) if (typeof id === "string") pending.sessionIds.add(id);
  flushTimer ??= setTimeout(flush, Math.max(0, lastFlush + MIN_GAP_MS - Date.now()));
}

function parse(block: string): { name: string; data: unknown } | undefined {
  let name = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length === 0) return undefined;
  try {
    return { name, data: JSON.parse(data.join("\n")) };
  } catch {
    return undefined;
  }
}

async function run(signal: AbortSignal): Promise<void> {
  let pause = RETRY_MIN_MS;
  let connectedBefore = false;
  while (!signal.aborted) {
    setState("connecting");
    try {
      const credentials = currentCredentials();
      const headers: Record<string, string> = { accept: "text/event-stream" };
      if (credentials.kind === "key") headers.authorization = `Bearer ${credentials.key}`;
      const response = await fetch(PATH, { headers, credentials: "same-origin", signal });
      // Refused (signed out, a caller without a tenant): retrying will not change that.
      if (response.status >= 400 && response.status < 500) {
        setState("offline");
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
        buffer = blocks.pop() ?? "";
        for (const block of blocks) {
          const event = parse(block);
          if (event?.name === "ready") {
            if (event.data && typeof event.data === "object") setCounts((event.data as Change).counts);
            setState("live");
            pause = RETRY_MIN_MS;
            // Changes made while the stream was down were not heard: read everything again.
            if (connectedBefore) invalidate("everything");
            connectedBefore = true;
          } else if (event?.name === "changed" && event.data && typeof event.data === "object") {
            setCounts((event.data as Change).counts);
            invalidate(event.data as Change);
          }
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    setState("offline");
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, RETRY_MAX_MS);
  }
}

function attach(client: QueryClient): () => void {
  attached.set(client, (attached.get(client) ?? 0) + 1);
  if (lingering) clearTimeout(lingering);
  lingering = undefined;
  if (!controller) {
    const mine = new AbortController();
    controller = mine;
    // A refused stream ends on its own; the next page to attach asks again (perhaps signed in anew).
    void run(mine.signal).finally(() => { if (controller === mine) controller = undefined; });
  }
  return () => {
    const left = (attached.get(client) ?? 1) - 1;
    if (left > 0) attached.set(client, left);
    else attached.delete(client);
    if (attached.size > 0) return;
    lingering = setTimeout(() => {
      lingering = undefined;
      controller?.abort();
      controller = undefined;
      setState("idle");
    }, LINGER_MS);
  };
}

/** Keeps the inbox's queries fresh while the calling component is mounted; answers the stream's state. */
export function useInboxLive(): LiveState {
  const client = useQueryClient();
  useEffect(() => attach(client), [client]);
  return useSyncExternalStore((listener) => {
    stateListeners.add(listener);
    return () => stateListeners.delete(listener);
  }, () => state);
}

/**
 * How many conversations wait for a person (and are claimed): pushed by the stream; asked of the
 * API (`GET /v1/admin/conversations/counts`, every 30 s) only while the stream is down.
 */
export function useInboxCounts(): Counts | undefined {
  const live = useInboxLive();
  return useQuery({ queryKey: inboxKeys.counts, queryFn: inboxApi.counts, retry: false, enabled: live === "offline", staleTime: Infinity,
    // A refusal (a caller without a tenant) will not change: stop asking.
    refetchInterval: (query) => (query.state.status === "error" ? false : 30_000) }).data;
}
