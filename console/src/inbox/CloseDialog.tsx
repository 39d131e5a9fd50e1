import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { inboxApi } from "./api.ts";

/** Ends the conversation for good, with a last message to the user if the agent writes one. */
export function CloseDialog({ open, onClose, onDone, sessionId }: { open: boolean; onClose: () => void; onDone: () => void; sessionId: string }) {
  const [message, setMessage] = useState("");
  const close = useMutation({
    mutationFn: () => inboxApi.close(sessionId, message.trim() || undefined),
    onSuccess: () => { onClose(); onDone(); },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    close.mutate();
  }
  return (
    <Dialog title="Close the conversation" open={open} onClose={onClose}>
      <form onSubmit={submit}>
        <p>The conversation ends: the user cannot write in it any more, and the bot does not take it back.</p>
        <label className="field">Last message to the user (optional)
          <textarea rows={3} value={message} onChange={(e) => setMessage(e.target.value)} maxLength={4000} autoFocus />
        </label>
        {close.isError && <p role="alert" className="alert">{describeError(close.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button danger-solid" disabled={close.isPending}>Close conversation</button>
        </div>
      </form>
    </Dialog>
  );
}
