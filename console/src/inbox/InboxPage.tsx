/**
 * The inbox (anchors: Botpress HITL, Intercom): conversations on the left, the open one's
 * transcript in the middle, its context on the right (user, variables, channel, path through the
 * flow, what each turn caused). Agents claim, answer, note, hand back and close; viewers read.
 * Everything updates live (live.ts). Narrow screens show one column: the list, or the open
 * conversation with its context below and a way back to the list.
 */
import { useQuery } from "@tanstack/react-query";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { useSearch } from "../shell/router.ts";
import { inboxApi, inboxKeys } from "./api.ts";
import { ConversationList } from "./ConversationList.tsx";
import { ConversationPane } from "./ConversationPane.tsx";

export default function InboxPage({ sessionId }: { sessionId?: string }) {
  const me = useQuery({ queryKey: inboxKeys.me, queryFn: inboxApi.me, staleTime: 5 * 60_000 });
  // The list's filters ride in the query string: back to the list keeps them.
  const search = useSearch();
  return (
    <Layout title="Inbox" wide>
      <div className={sessionId ? "inbox has-open" : "inbox"}>
        <ConversationList selected={sessionId} me={me.data} />
        {sessionId ? (
          <>
            <Link to={`/inbox${search}`} className="inbox-back">← All conversations</Link>
            <ConversationPane key={sessionId} sessionId={sessionId} me={me.data} />
          </>
        ) : (
          <div className="inbox-placeholder">
            <p className="muted">Pick a conversation to read it{me.data?.mayAct ? ", claim it and answer" : ""}.</p>
          </div>
        )}
      </div>
    </Layout>
  );
}
