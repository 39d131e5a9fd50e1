import { Link } from "../shell/Link.tsx";
import { useInboxCounts } from "./live.ts";
import "./inbox.css";

/** The rail's Inbox entry, with a badge counting the conversations waiting for a person (live). */
export function InboxRailLink({ current }: { current: boolean }) {
  const waiting = useInboxCounts()?.waiting ?? 0;
  return (
    <Link to="/inbox" aria-current={current ? "page" : undefined} className="rail-inbox">
      Inbox
      {waiting > 0 && <span className="rail-badge" data-testid="inbox-badge"><span className="visually-hidden">, </span>{waiting}<span className="visually-hidden"> waiting</span></span>}
    </Link>
  );
}
