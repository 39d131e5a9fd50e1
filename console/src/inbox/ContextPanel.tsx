import { Link } from "../shell/Link.tsx";
import { timeAgo } from "../shell/time.ts";
import { userLabel, type Conversation, type TurnEvent } from "./api.ts";
import { turnsOf } from "./timeline.ts";

function show(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? String(value);
}

/** A small, readable digest of an event's data (its ids and figures), not the whole record. */
function eventDetail(event: TurnEvent): string {
  const parts = Object.entries(event.data)
    .filter(([key, value]) => !["tenantId", "botId", "sessionId", "nodeId"].includes(key) && value !== null && typeof value !== "object")
    .slice(0, 4)
    .map(([key, value]) => `${key}: ${show(value)}`);
  return parts.join(", ");
}

export function ContextPanel({ conversation: c }: { conversation: Conversation }) {
  const scopes = Object.entries(c.variables).filter(([, value]) => value && typeof value === "object" && Object.keys(value).length > 0) as [string, Record<string, unknown>][];
  const turns = turnsOf(c);
  const waitingAt = c.status === "ended" ? null : c.position.nodeId;
  return (
    <aside className="inbox-context" aria-label="Context">
      <section aria-labelledby="ctx-user">
        <h3 id="ctx-user">User</h3>
        <dl className="inbox-facts">
          <div><dt>User</dt><dd>{userLabel(c.userId)}{userLabel(c.userId) !== c.userId && <span className="muted small"> ({c.userId})</span>}</dd></div>
          <div><dt>Channel</dt><dd><span className="type-tag">{c.channel}</span></dd></div>
          <div><dt>Bot</dt><dd><Link to={`/bots/${c.botId}`}>{c.botName}</Link> <span className="muted small">version {c.flowVersion}</span></dd></div>
          <div><dt>Started</dt><dd><time dateTime={c.startedAt}>{timeAgo(c.startedAt)}</time></dd></div>
          <div><dt>Status</dt><dd>{c.status === "waiting_human" ? "with people" : c.status}</dd></div>
          {waitingAt && <div><dt>Waiting at</dt><dd><code>{waitingAt}</code></dd></div>}
        </dl>
      </section>
      <section aria-labelledby="ctx-variables">
        <h3 id="ctx-variables">Variables</h3>
        {scopes.length === 0 && <p className="muted small">None yet.</p>}
        {scopes.map(([scope, values]) => (
          <dl key={scope} className="inbox-facts variables" aria-label={`${scope} variables`}>
            {Object.entries(values).map(([name, value]) => (
              <div key={name}><dt><code>{scope}.{name}</code></dt><dd>{show(value)}</dd></div>
            ))}
          </dl>
        ))}
      </section>
      <section aria-labelledby="ctx-path">
        <h3 id="ctx-path">Path through the flow</h3>
        {c.path.length === 0 ? <p className="muted small">Not recorded yet.</p> : (
          <ol className="inbox-path" aria-labelledby="ctx-path">
            {c.path.map((node, i) => <li key={i} aria-current={i === c.path.length - 1 && node === waitingAt ? "step" : undefined}><code>{node}</code></li>)}
          </ol>
        )}
      </section>
      <section aria-labelledby="ctx-turns">
        <h3 id="ctx-turns">What each turn caused</h3>
        {turns.length === 0 && <p className="muted small">No events recorded yet.</p>}
        {turns.map((turn, i) => (
          <details key={i} className="inbox-turn" open={i === turns.length - 1}>
            <summary>{turn.label} <span className="muted small">· {turn.events.length} event{turn.events.length === 1 ? "" : "s"}</span></summary>
            <ul>
              {turn.events.map((event, j) => (
                <li key={j}>
                  <code>{event.type}</code>{event.nodeId && <> at <code>{event.nodeId}</code></>}
                  {eventDetail(event) && <span className="muted small"> {eventDetail(event)}</span>}
                </li>
              ))}
            </ul>
          </details>
        ))}
      </section>
    </aside>
  );
}
