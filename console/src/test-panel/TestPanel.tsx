/**
 * Chat with the draft beside the canvas. Starting saves the draft first; the node the
 * conversation waits on glows on the canvas; problems that stop the draft from running are pinned
 * on their nodes like publishing's.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { ApiError, describeError, type ProblemDetail } from "../api/client.ts";
import { testApi, type InputRequest, type OutboundMessage, type TestTurn } from "./api.ts";
import { ChannelTurn } from "./ChannelTurn.tsx";
import "./test-panel.css";

type Change = TestTurn["changed"][number];
type Line =
  | { from: "you"; text: string; key: number }
  | { from: "bot"; messages: OutboundMessage[]; input: InputRequest | null; key: number }
  | { from: "changes"; changes: Change[]; key: number };

/** A variable's value as the panel shows it: unset is a dash, strings in quotes, the rest as JSON. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

function linesOf(messages: OutboundMessage[]): string[] {
  return messages.map((m) => (m.type === "image" ? `[image${m.alt ? `: ${m.alt}` : ""}]` : m.text));
}

export function TestPanel({ botId, beforeStart, onActiveNode, onProblems }: { botId: string; beforeStart: () => Promise<void>; onActiveNode: (id: string | null) => void; onProblems: (problems: ProblemDetail[]) => void }) {
  const [sessionId, setSessionId] = useState<string>();
  const [lines, setLines] = useState<Line[]>([]);
  const [input, setInput] = useState<InputRequest | null>(null);
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const counter = useRef(0);
  const field = useRef<HTMLInputElement>(null);
  const log = useRef<HTMLDivElement>(null);

  // How the transcript is shown: the web's own rendering, or a channel's (the API renders each turn).
  const [surface, setSurface] = useState("web");
  const surfaces = useQuery({ queryKey: ["channel-previews"], queryFn: testApi.surfaces, staleTime: 300_000 });
  const surfaceLabel = surfaces.data?.find((s) => s.id === surface)?.label ?? "Web";
  const addLines = (from: "you", texts: string[]) => setLines((current) => [...current, ...texts.map((text) => ({ from, text, key: counter.current++ }))]);
  const took = (turn: TestTurn) => {
    if (turn.messages.length > 0) setLines((current) => [...current, { from: "bot", messages: turn.messages, input: turn.input, key: counter.current++ }]);
    if (turn.changed.length > 0) setLines((current) => [...current, { from: "changes", changes: turn.changed, key: counter.current++ }]);
    setInput(turn.input);
    setStatus(turn.status);
    onActiveNode(turn.atNode);
  };
  const failed = (caught: unknown) => {
    if (caught instanceof ApiError && caught.code === "FLOW_INVALID") {
      onProblems(caught.details);
      setError(`The draft has ${caught.details.length} problem${caught.details.length === 1 ? "" : "s"}; they are marked on the canvas.`);
    } else setError(describeError(caught));
  };

  const start = useMutation({
    mutationFn: async () => {
      await beforeStart();
      return testApi.start(botId);
    },
    onMutate: () => { setLines([]); setError(undefined); setInput(null); onActiveNode(null); },
    onSuccess: (turn) => { setSessionId(turn.sessionId); took(turn); },
    onError: failed,
  });
  const send = useMutation({
    mutationFn: (body: { text: string } | { choice: string }) => testApi.send(sessionId!, body),
    onMutate: (body) => { setError(undefined); addLines("you", ["text" in body ? body.text : input?.choices?.find((c) => c.value === body.choice)?.label ?? body.choice]); },
    onSuccess: took,
    onError: failed,
  });

  useEffect(() => { log.current?.lastElementChild?.scrollIntoView({ block: "nearest" }); }, [lines]);
  useEffect(() => { if (input && input.type !== "choice") field.current?.focus(); }, [input]);
  useEffect(() => () => onActiveNode(null), [onActiveNode]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = field.current?.value.trim();
    if (!text || !sessionId) return;
    field.current!.value = "";
    send.mutate({ text });
  }

  const ended = status === "ended";
  // Only the latest turn's buttons answer (earlier ones are history, as in the channel itself).
  const lastBotKey = [...lines].reverse().find((line) => line.from === "bot")?.key;
  return (
    <section className="test-panel" aria-labelledby="test-title">
      <div className="test-head">
        <h2 id="test-title">Test the draft</h2>
        <button type="button" className="button small" onClick={() => start.mutate()} disabled={start.isPending}>{sessionId ? "Restart" : "Start conversation"}</button>
      </div>
      {error && <p role="alert" className="alert small">{error}</p>}
      {(surfaces.data?.length ?? 0) > 1 && (
        <fieldset className="surface-switch">
          <legend>Show the conversation as on</legend>
          {surfaces.data!.map((s) => (
            <label key={s.id} title={s.description}>
              <input type="radio" name="test-surface" value={s.id} checked={surface === s.id} onChange={() => setSurface(s.id)} />
              <span>{s.label}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div ref={log} className={`transcript surface-${surface}`} tabIndex={0} role="log" aria-live="polite" aria-label="Test conversation">
        {lines.map((line) => line.from === "changes"
          ? (
            <details key={line.key} className="turn-changes" open>
              <summary>{line.changes.length} variable{line.changes.length === 1 ? "" : "s"} changed</summary>
              <ul>
                {line.changes.map((change) => (
                  <li key={change.path}><code>{change.path}</code> <span className="muted">{shown(change.before)}</span> → <strong>{shown(change.after)}</strong></li>
                ))}
              </ul>
            </details>
          )
          : line.from === "you"
            ? <p key={line.key} className="bubble you"><span className="visually-hidden">You: </span>{line.text}</p>
            : surface === "web"
              ? linesOf(line.messages).map((text, i) => <p key={`${line.key}:${i}`} className="bubble bot"><span className="visually-hidden">Bot: </span>{text}</p>)
              : <ChannelTurn key={`${line.key}:${surface}`} surface={surface} label={surfaceLabel} messages={line.messages} input={line.input}
                  onChoice={line.key === lastBotKey && sessionId && input?.type === "choice" && !send.isPending ? (value) => send.mutate({ choice: value }) : undefined} />)}
      </div>
      {sessionId && input?.type === "choice" && (
        <div className="choices" role="group" aria-label="Answers">
          {input.choices?.map((choice) => <button key={choice.value} type="button" className="button small" onClick={() => send.mutate({ choice: choice.value })} disabled={send.isPending}>{choice.label}</button>)}
        </div>
      )}
      {sessionId && !ended && input?.type !== "choice" && (
        <form className="test-input" onSubmit={submit}>
          <label htmlFor="test-message" className="visually-hidden">Your message</label>
          <input id="test-message" ref={field} autoComplete="off" placeholder={input ? "Type your answer" : "Type a message"} disabled={send.isPending} />
          <button type="submit" className="button small primary" disabled={send.isPending}>Send</button>
        </form>
      )}
      {ended && <p className="muted small">The conversation has ended.</p>}
    </section>
  );
}
