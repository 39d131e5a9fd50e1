/**
 * Saves the draft a moment after the last edit (one save at a time, the newest document wins) and
 * keeps the problems the API found in it. `flush` saves now, before publishing or testing.
 *
 * Each save names the draft revision it builds on (If-Match): when someone else saved meanwhile the
 * platform refuses it (DRAFT_CONFLICT), autosaving pauses, and the person chooses: load the other
 * version, or keep theirs (saved on top of the revision there is now). Until a save goes through,
 * the document is also kept in this browser (unsaved-draft.ts).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, describeError, type ProblemDetail } from "../api/client.ts";
import { botsApi } from "../bots/api.ts";
import type { FlowDocument } from "./flow-document.ts";
import { unsavedDraft } from "./unsaved-draft.ts";

export type SaveState =
  | { kind: "saved" } | { kind: "pending" } | { kind: "saving" } | { kind: "failed"; message: string }
  | { kind: "conflict"; message: string };

const DEBOUNCE_MS = 700;

export function useAutosave(botId: string, doc: FlowDocument | undefined, edits: number, onProblems: (problems: ProblemDetail[]) => void) {
  const [state, setState] = useState<SaveState>({ kind: "saved" });
  const latest = useRef({ doc, edits });
  latest.current = { doc, edits };
  const savedEdits = useRef(edits);
  const baseRevision = useRef<number | undefined>(undefined);
  const conflicted = useRef(false);
  const running = useRef<Promise<void>>(Promise.resolve());
  const problemsRef = useRef(onProblems);
  problemsRef.current = onProblems;

  const flush = useCallback((): Promise<void> => {
    running.current = running.current.catch(() => undefined).then(async () => {
      const { doc: current, edits: at } = latest.current;
      if (!current || at === savedEdits.current || conflicted.current) return;
      setState({ kind: "saving" });
      unsavedDraft.keep(botId, current, baseRevision.current);
      try {
        const answer = await botsApi.saveDraft(botId, current, baseRevision.current);
        savedEdits.current = at;
        baseRevision.current = answer.draftRevision;
        problemsRef.current(answer.problems);
        if (latest.current.edits === at) {
          unsavedDraft.drop(botId);
          setState({ kind: "saved" });
        } else setState({ kind: "pending" });
      } catch (error) {
        if (error instanceof ApiError && error.code === "DRAFT_CONFLICT") {
          conflicted.current = true;
          setState({ kind: "conflict", message: error.message });
          return;
        }
        setState({ kind: "failed", message: describeError(error) });
        throw error;
      }
    });
    return running.current;
  }, [botId]);

  /** A freshly loaded document is already saved, at the draft revision it was read at. */
  const markSaved = useCallback((at: number, revision: number) => {
    savedEdits.current = at;
    baseRevision.current = revision;
    conflicted.current = false;
    setState({ kind: "saved" });
  }, []);

  /** After a conflict: save this person's document on top of the revision there is now. */
  const keepMine = useCallback(async () => {
    const bot = await botsApi.get(botId);
    baseRevision.current = bot.draftRevision;
    conflicted.current = false;
    savedEdits.current = -1;
    await flush();
  }, [botId, flush]);

  useEffect(() => {
    if (edits === savedEdits.current || conflicted.current) return;
    setState({ kind: "pending" });
    if (latest.current.doc) unsavedDraft.keep(botId, latest.current.doc, baseRevision.current);
    const timer = setTimeout(() => void flush().catch(() => undefined), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [edits, flush, botId]);

  // Leaving with edits not yet saved: save them on the way out (the browser's copy stays if that fails).
  useEffect(() => () => void flush().catch(() => undefined), [flush]);

  return { state, flush, markSaved, keepMine };
}
