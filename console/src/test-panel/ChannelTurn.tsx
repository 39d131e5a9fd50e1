/**
 * One bot turn as a channel shows it: the API renders it with the channel's own code (buttons
 * under a WhatsApp bubble, a list behind a button, SMS text with numbered options, a long text in
 * parts) and this draws the bubbles in that channel's style, with the notes on what was changed.
 */
import { useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { testApi, type ChannelPreview, type InputRequest, type OutboundMessage } from "./api.ts";

type Props = { surface: string; label: string; messages: OutboundMessage[]; input: InputRequest | null; onChoice?: (value: string, label: string) => void };

export function ChannelTurn({ surface, label, messages, input, onChoice }: Props) {
  const preview = useQuery({
    queryKey: ["channel-preview", surface, messages, input],
    queryFn: () => testApi.preview(surface, { messages, input }),
    staleTime: Infinity,
  });
  if (preview.isPending) return <p className="muted small">Rendering for {label}…</p>;
  if (preview.isError) return <p className="alert small">{describeError(preview.error)}</p>;
  return <>{preview.data.bubbles.map((bubble, i) => <Bubble key={i} bubble={bubble} label={label} onChoice={onChoice} />)}</>;
}

function Bubble({ bubble, label, onChoice }: { bubble: ChannelPreview["bubbles"][number]; label: string; onChoice?: Props["onChoice"] }) {
  return (
    <div className="channel-bubble">
      <div className="bubble bot">
        <span className="visually-hidden">Bot on {label}: </span>
        {bubble.image && <span className="bubble-image">[image{bubble.image.caption ? `: ${bubble.image.caption}` : ""}]</span>}
        {bubble.text !== undefined && <span className="bubble-text">{bubble.text}</span>}
        {bubble.list && (
          <details className="bubble-list">
            <summary>{bubble.list.button}</summary>
            <ul aria-label={`${bubble.list.button}: list`}>
              {bubble.list.rows.map((row) => (
                <li key={row.value}>
                  <button type="button" className="list-row" disabled={!onChoice} onClick={() => onChoice?.(row.value, row.title)}>
                    <strong>{row.title}</strong>{row.description && <span className="muted small"> {row.description}</span>}
                  </button>
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
      {bubble.buttons && bubble.buttons.length > 0 && (
        <div className="reply-buttons" role="group" aria-label={`Reply buttons on ${label}`}>
          {bubble.buttons.map((button) => (
            <button key={button.value} type="button" disabled={!onChoice} onClick={() => onChoice?.(button.value, button.label)}>{button.label}</button>
          ))}
        </div>
      )}
      {bubble.notes?.map((note) => <p key={note} className="bubble-note">{note}</p>)}
    </div>
  );
}
