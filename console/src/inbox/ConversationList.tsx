import { useEffect, useId, useMemo, useState } from "react";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import { Link } from "../shell/Link.tsx";
import { replaceSearch, useSearch } from "../shell/router.ts";
import { timeAgo } from "../shell/time.ts";
import { holderOf, inboxApi, inboxKeys, PAGE_SIZE, userLabel, type ConversationSummary, type Holder, type Me, type View } from "./api.ts";
import { cursorAfter, filterFromSearch, narrowing, searchOf, type ListFilter, type Status } from "./filters.ts";
import { useInboxCounts, useInboxLive } from "./live.ts";

const views: { value: View; label: string }[] = [
  { value: "waiting", label: "Waiting" },
  { value: "mine", label: "Mine" },
  { value: "all", label: "All" },
];
// The channels sessions are recorded on (the route's `channel` filter).
const channels = ["web", "whatsapp", "sms", "voice", "api"];
const statuses: { value: Status; label: string }[] = [
  { value: "active", label: "With the bot" },
  { value: "waiting_human", label: "With people" },
  { value: "ended", label: "Ended" },
];

/** The list's filters, read from and written to the address (filters.ts): a reload keeps them. */
export function useListFilter(): [ListFilter, (change: Partial<ListFilter>) => void] {
  const search = useSearch();
  const filter = useMemo(() => filterFromSearch(search), [search]);
  const set = (change: Partial<ListFilter>) => {
    const next = { ...filter, ...change };
    for (const key of Object.keys(change) as (keyof ListFilter)[]) if (next[key] === undefined || next[key] === "") delete next[key];
    replaceSearch(searchOf(next));
  };
  return [filter, set];
}

export function ConversationList({ selected, me }: { selected?: string; me?: Me }) {
  const id = useId();
  const [filter, setFilter] = useListFilter();
  const search = searchOf(filter);
  // Words are sent once typing pauses; the field shows what is typed at once.
  const [typed, setTyped] = useState(filter.q ?? "");
  useEffect(() => {
    const words = typed.trim();
    if (words === (filter.q ?? "")) return;
    const timer = setTimeout(() => setFilter({ q: words || undefined }), 300);
    return () => clearTimeout(timer);
  }, [typed]); // only typing restarts the pause
  const live = useInboxLive();
  const bots = useQuery({ queryKey: botKeys.all, queryFn: botsApi.list, staleTime: 60_000 });
  // Pages of the list, each after the last one's oldest conversation. The live feed invalidates the
  // list (live.ts): every page loaded is read again with the same filters, so a conversation that
  // does not match them never shows up, and one that now matches finds its place.
  const list = useInfiniteQuery({
    queryKey: inboxKeys.list(filter),
    queryFn: ({ pageParam }) => inboxApi.list(filter, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.length < PAGE_SIZE ? undefined : cursorAfter(last.at(-1)!.updatedAt)),
    placeholderData: keepPreviousData,
  });
  const counts = useInboxCounts();
  const rows = useMemo(() => {
    // A conversation may come twice: the cursor repeats the last one, and a change between pages moves one.
    const seen = new Set<string>();
    return (list.data?.pages ?? []).flat().filter((c) => (seen.has(c.sessionId) ? false : (seen.add(c.sessionId), true)));
  }, [list.data]);
  const lastPage = list.data?.pages.at(-1);
  // A page of nothing new (every one already shown) ends the paging too.
  const more = list.hasNextPage && !(list.data && list.data.pages.length > 1 && lastPage?.every((c) => rows.indexOf(c) === -1));
  const narrowed = narrowing(filter);

  return (
    <section className="inbox-list" aria-labelledby="inbox-list-title">
      <div className="inbox-list-head">
        <h2 id="inbox-list-title">Conversations</h2>
        <span className={`inbox-live ${live}`} role="status">{live === "live" ? "Live" : live === "offline" ? "Offline, retrying" : "Connecting…"}</span>
      </div>
      <fieldset className="inbox-segmented">
        <legend className="visually-hidden">Show</legend>
        {views.map((v) => (
          <label key={v.value} className={filter.view === v.value ? "checked" : undefined}>
            <input type="radio" name="inbox-view" value={v.value} checked={filter.view === v.value} onChange={() => setFilter({ view: v.value })} />
            {v.label}
            {v.value === "waiting" && counts && counts.waiting > 0 && <span className="count"> ({counts.waiting} unclaimed)</span>}
          </label>
        ))}
      </fieldset>
      <div className="inbox-filters" role="group" aria-label="Filters">
        <div className="field inbox-filter-wide"><label htmlFor={`${id}-search`}>Search</label>
          <input id={`${id}-search`} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="Words or a user id" />
        </div>
        <div className="field"><label htmlFor={`${id}-bot`}>Bot</label>
          <select id={`${id}-bot`} value={filter.botId ?? ""} onChange={(e) => setFilter({ botId: e.target.value || undefined })}>
            <option value="">All bots</option>
            {bots.data?.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
            {filter.botId && bots.data && !bots.data.some((b) => b.id === filter.botId) && <option value={filter.botId}>A deleted bot</option>}
          </select>
        </div>
        <div className="field"><label htmlFor={`${id}-channel`}>Channel</label>
          <select id={`${id}-channel`} value={filter.channel ?? ""} onChange={(e) => setFilter({ channel: e.target.value || undefined })}>
            <option value="">All channels</option>
            {channels.map((c) => <option key={c} value={c}>{c}</option>)}
            {filter.channel && !channels.includes(filter.channel) && <option value={filter.channel}>{filter.channel}</option>}
          </select>
        </div>
        <div className="field"><label htmlFor={`${id}-activefrom`}>Active from</label>
          <input id={`${id}-activefrom`} type="date" value={filter.from ?? ""} max={filter.to} aria-describedby={`${id}-dates`} onChange={(e) => setFilter({ from: e.target.value || undefined })} />
        </div>
        <div className="field"><label htmlFor={`${id}-startedby`}>Started by</label>
          <input id={`${id}-startedby`} type="date" value={filter.to ?? ""} min={filter.from} aria-describedby={`${id}-dates`} onChange={(e) => setFilter({ to: e.target.value || undefined })} />
        </div>
        <span id={`${id}-dates`} className="hint inbox-filter-wide">Conversations active on or after the first day and started on or before the second.</span>
        <div className="field"><label htmlFor={`${id}-status`}>Status</label>
          <select id={`${id}-status`} value={filter.status ?? ""} onChange={(e) => setFilter({ status: (e.target.value || undefined) as Status | undefined })}>
            <option value="">Any status</option>
            {statuses.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
        </div>
        {narrowed > 0 && (
          <button type="button" className="button small subtle inbox-filter-wide" onClick={() => { setTyped(""); replaceSearch(searchOf({ view: filter.view })); }}>
            Clear {narrowed === 1 ? "the filter" : `${narrowed} filters`}
          </button>
        )}
      </div>
      {list.isError && <p role="alert" className="alert">{describeError(list.error)}</p>}
      {list.isPending && <p role="status">Loading conversations…</p>}
      {list.isSuccess && rows.length === 0 && (
        <p className="muted inbox-none">
          {filter.view === "waiting" ? "Nobody is waiting for a person." : filter.view === "mine" ? "You have no conversations." : narrowed > 0 ? "No conversations match these filters." : "No conversations yet."}
          {filter.view !== "all" && narrowed > 0 && " (with these filters)"}
        </p>
      )}
      {rows.length > 0 && (
        <ul className="conversation-list" aria-label="Conversations">
          {rows.map((c) => <Row key={c.sessionId} conversation={c} holder={holderOf(c, me?.agent)} selected={c.sessionId === selected} search={search} />)}
        </ul>
      )}
      {list.isError === false && more && (
        <button type="button" className="button inbox-more" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {list.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
      {rows.length > 0 && !more && list.data && list.data.pages.length > 1 && <p className="muted small inbox-end">That is all of them ({rows.length}).</p>}
    </section>
  );
}

function HolderBadge({ holder }: { holder: Holder }) {
  switch (holder.kind) {
    case "waiting": return <span className="badge inbox-waiting">Waiting</span>;
    case "me": return <span className="badge inbox-mine">You</span>;
    case "other": return <span className="badge inbox-other">{holder.name}</span>;
    case "ended": return <span className="badge inbox-ended">Ended</span>;
    default: return <span className="badge inbox-bot">Bot</span>;
  }
}

function Row({ conversation: c, holder, selected, search }: { conversation: ConversationSummary; holder: Holder; selected: boolean; search: string }) {
  return (
    <li className={selected ? "conversation-row selected" : "conversation-row"}>
      <Link to={`/inbox/${c.sessionId}${search}`} aria-current={selected ? "page" : undefined}>
        <span className="inbox-row-top">
          <span className="inbox-row-user">{userLabel(c.userId)}</span>
          <HolderBadge holder={holder} />
        </span>
        <span className="inbox-row-meta">
          <span className="type-tag">{c.channel}</span>
          <span>{c.botName}</span>
          <span>{timeAgo(c.updatedAt)}</span>
        </span>
        {c.handoff?.reason && holder.kind === "waiting" && <span className="inbox-row-reason">{c.handoff.reason}</span>}
        {c.lastMessage && <span className="inbox-row-last">{c.lastMessage.direction === "inbound" ? "" : "↩ "}{c.lastMessage.text}</span>}
      </Link>
    </li>
  );
}
