import { useEffect, useRef } from "react";
import { userLabel, type Conversation, type TranscriptEntry } from "./api.ts";
import { itemsOf, messageWords } from "./timeline.ts";

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const str = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

function Message({ entry, user }: { entry: TranscriptEntry; user: string }) {
  const message = entry.message;
  const agent = message.agent && typeof message.agent === "object" ? str((message.agent as Record<string, unknown>).name) : undefined;
  const from = entry.direction === "inbound" ? "user" : agent ? "agent" : "bot";
  const who = from === "user" ? user : from === "agent" ? agent! : "Bot";
  const buttons = Array.isArray(message.buttons) ? (message.buttons as { label?: unknown }[]).map((b) => str(b.label)).filter(Boolean) : [];
  return (
    <li className={`inbox-line ${from}`}>
      <span className="inbox-line-who">{who}{from === "agent" && <span className="visually-hidden"> (agent)</span>}</span>
      <span className="inbox-line-text">{messageWords(message)}</span>
      {buttons.length > 0 && <span className="inbox-line-choices">Offered: {buttons.join(" · ")}</span>}
      <time dateTime={entry.at}>{clock.format(new Date(entry.at))}</time>
    </li>
  );
}

export function Transcript({ conversation }: { conversation: Conversation }) {
  const log = useRef<HTMLDivElement>(null);
  const items = itemsOf(conversation);
  const user = userLabel(conversation.userId);
  // New lines arrive at the bottom: keep it in view, as a chat does.
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [items.length]);
  return (
    <div ref={log} className="inbox-transcript" role="log" aria-live="polite" aria-label="Transcript" tabIndex={0}>
      <ol>
      {items.map((item, index) => {
        if (item.kind === "message") return <Message key={`m${index}`} entry={item.entry} user={user} />;
        if (item.kind === "note") {
          return (
            <li key={item.note.id} className="inbox-line note">
              <span className="inbox-line-who">Internal note · {item.note.author.name} <span className="inbox-not-sent">not sent to the user</span></span>
              <span className="inbox-line-text">{item.note.text}</span>
              <time dateTime={item.at}>{clock.format(new Date(item.at))}</time>
            </li>
          );
        }
        return <li key={`e${index}`} className="inbox-line event"><span>{item.text}</span> <time dateTime={item.at}>{clock.format(new Date(item.at))}</time></li>;
      })}
      {items.length === 0 && <li className="inbox-line event">No messages yet.</li>}
      </ol>
    </div>
  );
}
