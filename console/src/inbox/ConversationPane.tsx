import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, describeError } from "../api/client.ts";
import { timeAgo } from "../shell/time.ts";
import { holderOf, inboxApi, inboxKeys, userLabel, type Conversation, type Holder, type Me } from "./api.ts";
import { CloseDialog } from "./CloseDialog.tsx";
import { Composer } from "./Composer.tsx";
import { ContextPanel } from "./ContextPanel.tsx";
import { HandBackDialog } from "./HandBackDialog.tsx";
import { Transcript } from "./Transcript.tsx";

/** One sentence saying who has the conversation. */
function holderSentence(holder: Holder, c: Conversation): string {
  switch (holder.kind) {
    case "waiting": return `Waiting for a person since ${timeAgo(c.handoff!.requestedAt)}${c.handoff!.reason ? `: ${c.handoff!.reason}` : ""}.`;
    case "me": return "You have this conversation: the bot stays quiet until you hand it back or close it.";
    case "other": return `${holder.name} is handling this conversation.`;
    case "ended": return "This conversation has ended.";
    default: return "The bot has this conversation.";
  }
}

/** Why the composer only takes notes: what to do to answer the user. */
function whyNoReply(holder: Holder): string {
  if (holder.kind === "other") return `${holder.name} answers the user; you can leave notes.`;
  if (holder.kind === "bot") return "Take the conversation over to answer the user.";
  return "Claim the conversation to answer the user.";
}

/** A refusal an agent can act on: who was first, or what to do next. */
function refusal(error: unknown): string {
  if (error instanceof ApiError && error.code === "ROLE_FORBIDDEN") return "Your role may read conversations but not act in them.";
  return describeError(error);
}

export function ConversationPane({ sessionId, me }: { sessionId: string; me?: Me }) {
  const client = useQueryClient();
  const conversation = useQuery({ queryKey: inboxKeys.conversation(sessionId), queryFn: () => inboxApi.get(sessionId) });
  const [dialog, setDialog] = useState<"hand-back" | "close">();
  const [notice, setNotice] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);

  const refresh = () => {
    void client.invalidateQueries({ queryKey: inboxKeys.conversation(sessionId) });
    void client.invalidateQueries({ queryKey: inboxKeys.lists });
    void client.invalidateQueries({ queryKey: inboxKeys.counts });
  };
  const claim = useMutation({
    mutationFn: (how: "claim" | "take-over") => (how === "claim" ? inboxApi.claim(sessionId) : inboxApi.takeOver(sessionId)),
    onMutate: () => setNotice(""),
    onSuccess: () => { setNotice("You claimed the conversation. The user sees your replies."); refresh(); },
    // Someone else was first: show who has it now.
    onError: refresh,
  });

  // Opening a conversation takes the reader to it (on a narrow screen the list is gone).
  const loaded = conversation.data !== undefined;
  useEffect(() => { if (loaded) heading.current?.focus(); }, [loaded]);
  const mine = conversation.data ? holderOf(conversation.data, me?.agent).kind === "me" : false;
  useEffect(() => { if (mine) composer.current?.focus(); }, [mine]);

  if (conversation.isError) return <section className="inbox-conversation"><p role="alert" className="alert">{describeError(conversation.error)}</p></section>;
  if (!conversation.data) return <section className="inbox-conversation"><p role="status">Loading the conversation…</p></section>;
  const c = conversation.data;
  const holder = holderOf(c, me?.agent);
  const mayAct = me?.mayAct === true;

  return (
    <>
      <section className="inbox-conversation" aria-labelledby="conversation-title">
        <header className="conversation-head">
          <div>
            <h2 id="conversation-title" ref={heading} tabIndex={-1}>{userLabel(c.userId)}</h2>
            <p className="muted small conversation-meta"><span className="type-tag">{c.channel}</span> {c.botName}</p>
          </div>
          {mayAct && (
            <div className="conversation-actions">
              {holder.kind === "waiting" && <button type="button" className="button primary" onClick={() => claim.mutate("claim")} disabled={claim.isPending}>Claim</button>}
              {holder.kind === "bot" && <button type="button" className="button" onClick={() => claim.mutate("take-over")} disabled={claim.isPending}>Take over</button>}
              {(holder.kind === "me" || holder.kind === "waiting") && <button type="button" className="button" onClick={() => setDialog("hand-back")}>Hand back to the bot…</button>}
              {(holder.kind === "me" || holder.kind === "waiting") && <button type="button" className="button danger" onClick={() => setDialog("close")}>Close…</button>}
            </div>
          )}
        </header>
        <p className={`inbox-holder ${holder.kind}`}>{holderSentence(holder, c)}</p>
        {!mayAct && me && <p className="muted small inbox-read-only">You can read conversations; your role cannot answer them.</p>}
        <p role="status" className="notice">{notice}</p>
        {claim.isError && <p role="alert" className="alert">{refusal(claim.error)}</p>}
        <Transcript conversation={c} />
        {mayAct && holder.kind !== "ended" && <Composer ref={composer} sessionId={sessionId} mayReply={holder.kind === "me"} channel={c.channel} whyNoReply={whyNoReply(holder)} />}
      </section>
      <ContextPanel conversation={c} />
      {mayAct && (
        <>
          <HandBackDialog
            open={dialog === "hand-back"} onClose={() => setDialog(undefined)} sessionId={sessionId} botId={c.botId} flowVersion={c.flowVersion} waitingAt={c.position.nodeId}
            onDone={(where) => { setNotice(`Handed back to the bot ${where}.`); refresh(); }}
          />
          <CloseDialog open={dialog === "close"} onClose={() => setDialog(undefined)} sessionId={sessionId} onDone={() => { setNotice("The conversation is closed."); refresh(); }} />
        </>
      )}
    </>
  );
}
