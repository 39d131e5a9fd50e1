import { useState, type FormEvent, type KeyboardEvent, type Ref } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { inboxApi, inboxKeys } from "./api.ts";

type Mode = "reply" | "note";

/**
 * Where an agent writes: a reply the user gets on their channel (only while the conversation is
 * theirs), or an internal note other agents see and the user never does. Enter sends; Shift+Enter
 * starts a new line.
 */
export function Composer({ sessionId, mayReply, channel, whyNoReply, ref }: {
  sessionId: string; mayReply: boolean; channel: string; whyNoReply: string; ref?: Ref<HTMLTextAreaElement>;
}) {
  const client = useQueryClient();
  const [chosen, setChosen] = useState<Mode>("reply");
  const [text, setText] = useState("");
  const mode: Mode = mayReply ? chosen : "note";
  const send = useMutation({
    mutationFn: async (body: { mode: Mode; text: string }) => (body.mode === "reply" ? { delivery: (await inboxApi.reply(sessionId, body.text)).delivery } : { note: await inboxApi.note(sessionId, body.text) }),
    onSuccess: () => {
      setText("");
      void client.invalidateQueries({ queryKey: inboxKeys.conversation(sessionId) });
      void client.invalidateQueries({ queryKey: inboxKeys.lists });
    },
  });
  const delivery = send.data && "delivery" in send.data ? send.data.delivery : undefined;

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const words = text.trim();
    if (!words || send.isPending) return;
    send.mutate({ mode, text: words });
  }
  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  }

  return (
    <form className={`inbox-composer ${mode}`} onSubmit={submit} aria-label={mode === "reply" ? "Reply" : "Internal note"}>
      {mayReply && (
        <fieldset className="inbox-segmented small">
          <legend className="visually-hidden">Write</legend>
          <label className={mode === "reply" ? "checked" : undefined}><input type="radio" name="composer-mode" checked={mode === "reply"} onChange={() => setChosen("reply")} />Reply</label>
          <label className={mode === "note" ? "checked" : undefined}><input type="radio" name="composer-mode" checked={mode === "note"} onChange={() => setChosen("note")} />Internal note</label>
        </fieldset>
      )}
      <label className="field">
        {mode === "reply" ? `Reply to the user (sent on ${channel})` : "Internal note (only agents see it)"}
        <textarea ref={ref} rows={3} value={text} onChange={(e) => setText(e.target.value)} onKeyDown={keyDown} maxLength={4000} aria-describedby="composer-hint" />
      </label>
      <div className="inbox-composer-foot">
        <span id="composer-hint" className="hint">{mayReply ? "Enter sends, Shift+Enter starts a new line." : `${whyNoReply} Enter adds the note.`}</span>
        <button type="submit" className="button primary" disabled={send.isPending || !text.trim()}>{mode === "reply" ? "Send" : "Add note"}</button>
      </div>
      {send.isError && <p role="alert" className="alert small">{describeError(send.error)}</p>}
      {delivery && !delivery.delivered && <p role="alert" className="alert small">The message is in the conversation, but {channel} did not take it{delivery.error ? `: ${delivery.error}` : ""}.</p>}
    </form>
  );
}
