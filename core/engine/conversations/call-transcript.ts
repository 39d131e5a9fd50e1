/**
 * A phone call a realtime voice model answered ran no flow, but it is still a conversation: it is
 * kept as one ended session of the call's user, with what each side said as its history, so it
 * shows up, is retained and is deleted like any other conversation.
 */
import type { HistoryEntry, SessionRecord, SessionStore } from "../flow/session-store.ts";
import { SessionStatus } from "../flow/session-store.ts";

export type CallTranscriptParams = {
  tenantId: string;
  botId: string;
  /** The end user as the channel knows them (`voice:CA…`). */
  userId: string;
  channel: string;
  startedAt: string;
  endedAt: string;
  /** What the channel knows of the call (callSid, caller, provider); kept in `context.*`. */
  context?: Record<string, string>;
  lines: { role: "caller" | "bot"; text: string; at: string }[];
};

/** Bounds, so one long call cannot grow a session without limit. */
const MAX_LINES = 1000;
const MAX_LINE_CHARS = 4000;

export async function recordCallTranscript(store: SessionStore, flowVersion: number, p: CallTranscriptParams): Promise<{ sessionId: string }> {
  const id = crypto.randomUUID();
  const started = new Date(p.startedAt);
  const ended = new Date(p.endedAt);
  const record: SessionRecord = {
    id, tenantId: p.tenantId, botId: p.botId, userId: p.userId, channel: p.channel, flowVersion: String(flowVersion),
    status: SessionStatus.ended,
    variables: { context: { ...p.context, channel: p.channel } },
    position: { nodeId: null, frames: [] },
    revision: 1, createdAt: started, updatedAt: ended, endedAt: ended,
  };
  const history: HistoryEntry[] = p.lines.slice(0, MAX_LINES).filter((l) => l.text.trim()).map((line) => {
    const text = line.text.trim().slice(0, MAX_LINE_CHARS);
    return {
      sessionId: id, nodeId: null, revision: 1, at: new Date(line.at),
      ...(line.role === "caller" ? { direction: "inbound" as const, message: { text } } : { direction: "outbound" as const, message: { type: "text" as const, text } }),
    };
  });
  await store.create(record, history);
  return { sessionId: id };
}
