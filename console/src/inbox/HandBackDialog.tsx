import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import type { FlowNode } from "../flows/flow-document.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { inboxApi } from "./api.ts";

/** A few words saying what a node does, so an agent can pick one without opening the flow. */
function gist(node: FlowNode): string {
  const c = node.content ?? {};
  const first = Array.isArray(c.messages) ? (c.messages[0] as { text?: unknown } | undefined)?.text : undefined;
  const words = [c.question, c.message, c.text, first].find((v): v is string => typeof v === "string" && v.trim() !== "");
  return words ? `: ${words.length > 60 ? `${words.slice(0, 57)}…` : words}` : "";
}

/**
 * Hands the conversation back to the bot, where it left off or at a node the agent picks from the
 * flow version this conversation runs (not the bot's latest: the engine resumes in its own version).
 */
export function HandBackDialog({ open, onClose, onDone, sessionId, botId, flowVersion, waitingAt }: {
  open: boolean; onClose: () => void; onDone: (where: string) => void; sessionId: string; botId: string; flowVersion: string; waitingAt: string | null;
}) {
  const version = /^\d+$/.test(flowVersion) ? Number(flowVersion) : undefined;
  const flow = useQuery({ queryKey: botKeys.version(botId, version ?? 0), queryFn: () => botsApi.version(botId, version!), enabled: open && version !== undefined });
  const [nodeId, setNodeId] = useState("");
  const release = useMutation({
    mutationFn: (target: string) => inboxApi.release(sessionId, target || undefined),
    onSuccess: (_answer, target) => { onClose(); onDone(target ? `at ${target}` : "where it left off"); },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    release.mutate(nodeId);
  }
  return (
    <Dialog title="Hand back to the bot" open={open} onClose={onClose}>
      <form onSubmit={submit}>
        <label className="field">Resume the bot at
          <select value={nodeId} onChange={(e) => setNodeId(e.target.value)} autoFocus aria-describedby="handback-hint">
            <option value="">Where it left off{waitingAt ? ` (node ${waitingAt})` : ""}</option>
            {flow.data?.flow.nodes.map((node) => <option key={node.id} value={node.id}>{node.id} ({node.type}){gist(node)}</option>)}
          </select>
          <span id="handback-hint" className="hint">
            {version === undefined ? "This conversation runs a flow that is not a published version; the bot goes on where it left off." : `The nodes of version ${version}, which this conversation runs. The bot enters the node afresh.`}
          </span>
        </label>
        {flow.isError && <p role="alert" className="alert">{describeError(flow.error)}</p>}
        {release.isError && <p role="alert" className="alert">{describeError(release.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={release.isPending}>Hand back</button>
        </div>
      </form>
    </Dialog>
  );
}
