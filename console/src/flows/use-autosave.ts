/**
 * Saves the draft a moment after the last edit (one save at a time, the newest document wins) and
 * keeps the problems the API found in it. `flush` saves now, before publishing or testing.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError, type ProblemDetail } from "../api/client.ts";
import { botsApi } from "../bots/api.ts";
import type { FlowDocument } from "./flow-document.ts";

export type SaveState = { kind: "saved" } | { kind: "pending" } | { kind: "saving" } | { kind: "failed"; message: string };

const DEBOUNCE_MS = 700;

export function useAutosave(botId: string, doc: FlowDocument | undefined, edits: number, onProblems: (problems: ProblemDetail[]) => void) {
  const [state, setState] = useState<SaveState>({ kind: "saved" });
  const latest = useRef({ doc, edits });
  latest.current = { doc, edits };
  const savedEdits = useRef(edits);
  const running = useRef<Promise<void>>(Promise.resolve());
  const problemsRef = useRef(onProblems);
  problemsRef.current = onProblems;

  const flush = useCallback((): Promise<void> => {
    running.current = running.current.catch(() => undefined).then(async () => {
      const { doc: current, edits: at } = latest.current;
      if (!current || at === savedEdits.current) return;
      setState({ kind: "saving" });
      try {
        const answer = await botsApi.saveDraft(botId, current);
        savedEdits.current = at;
        problemsRef.current(answer.problems);
        setState(latest.current.edits === at ? { kind: "saved" } : { kind: "pending" });
      } catch (error) {
        setState({ kind: "failed", message: describeError(error) });
        throw error;
      }
    });
    return running.current;
  }, [botId]);

  /** A freshly loaded document is already saved. */
  const markSaved = useCallback((at: number) => { savedEdits.current = at; setState({ kind: "saved" }); }, []);

  useEffect(() => {
    if (edits === savedEdits.current) return;
    setState({ kind: "pending" });
    const timer = setTimeout(() => void flush().catch(() => undefined), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [edits, flush]);

  // Leaving with edits not yet saved: save them on the way out.
  useEffect(() => () => void flush().catch(() => undefined), [flush]);

  return { state, flush, markSaved };
}
