import { useEffect, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Link } from "../shell/Link.tsx";
import { timeAgo } from "../shell/time.ts";
import { holderOf, inboxApi, inboxKeys, userLabel, type ConversationSummary, type Holder, type Me, type View } from "./api.ts";
import { useInboxCounts, useInboxLive } from "./live.ts";

const views: { value: View; label: string }[] = [
  { value: "waiting", label: "Waiting" },
  { value: "mine", label: "Mine" },
  { value: "all", label: "All" },
];
// The channels sessions are recorded on (the route's `channel` filter).
const channels = ["web", "whatsapp", "sms", "voice", "api"];

export function ConversationList({ selected, me }: { selected?: string; me?: Me }) {
  const [view, setView] = useState<View>("waiting");
  const [channel, setChannel] = useState("");
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const live = useInboxLive();
  const filter = { view, ...(q ? { q } : {}), ...(channel ? { channel } : {}) };
  const list = useQuery({ queryKey: inboxKeys.list(filter), queryFn: () => inboxApi.list(filter), placeholderData: keepPreviousData });
  const counts = useInboxCounts();

  return (
    <section className="inbox-list" aria-labelledby="inbox-list-title">
      <div className="inbox-list-head">
        <h2 id="inbox-list-title">Conversations</h2>
        <span className={`inbox-live ${live}`} role="status">{live === "live" ? "Live" : live === "offline" ? "Offline, retrying" : "Connecting…"}</span>
      </div>
      <fieldset className="inbox-segmented">
        <legend className="visually-hidden">Show</legend>
        {views.map((v) => (
          <label key={v.value} className={view === v.value ? "checked" : undefined}>
            <input type="radio" name="inbox-view" value={v.value} checked={view === v.value} onChange={() => setView(v.value)} />
            {v.label}
            {v.value === "waiting" && counts && counts.waiting > 0 && <span className="count"> ({counts.waiting} unclaimed)</span>}
          </label>
        ))}
      </fieldset>
      <div className="inbox-filters">
        <label className="field">Search
          <input type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="Words or a user id" />
        </label>
        <label className="field">Channel
          <select value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">All channels</option>
            {channels.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
      </div>
      {list.isError && <p role="alert" className="alert">{describeError(list.error)}</p>}
      {list.isPending && <p role="status">Loading conversations…</p>}
      {list.data?.length === 0 && (
        <p className="muted inbox-none">{view === "waiting" ? "Nobody is waiting for a person." : view === "mine" ? "You have no conversations." : "No conversations match."}</p>
      )}
      {list.data && list.data.length > 0 && (
        <ul className="conversation-list" aria-label="Conversations">
          {list.data.map((c) => <Row key={c.sessionId} conversation={c} holder={holderOf(c, me?.agent)} selected={c.sessionId === selected} />)}
        </ul>
      )}
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

function Row({ conversation: c, holder, selected }: { conversation: ConversationSummary; holder: Holder; selected: boolean }) {
  return (
    <li className={selected ? "conversation-row selected" : "conversation-row"}>
      <Link to={`/inbox/${c.sessionId}`} aria-current={selected ? "page" : undefined}>
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
