/**
 * Undo and redo over flow documents. Every edit is a command that turns one document into the
 * next; the stack keeps documents (they share unchanged nodes, so this is cheap). Typing in one
 * field within a moment is one step, not one per keystroke.
 */
import { useCallback, useReducer } from "react";
import type { FlowDocument } from "./flow-document.ts";

export type Command = { label: string; run: (doc: FlowDocument) => FlowDocument; coalesce?: string };

type State = { doc: FlowDocument | undefined; past: FlowDocument[]; future: FlowDocument[]; last?: { key: string; at: number }; edits: number };
type Action = { kind: "apply"; command: Command; at: number } | { kind: "undo" } | { kind: "redo" } | { kind: "load"; doc: FlowDocument };

const LIMIT = 200;
const COALESCE_MS = 1200;

function reduce(state: State, action: Action): State {
  switch (action.kind) {
    case "load": return { doc: action.doc, past: [], future: [], edits: state.edits };
    case "apply": {
      if (!state.doc) return state;
      const next = action.command.run(state.doc);
      if (next === state.doc) return state;
      const key = action.command.coalesce;
      const merge = key !== undefined && state.last?.key === key && action.at - state.last.at < COALESCE_MS;
      return {
        doc: next,
        past: merge ? state.past : [...state.past, state.doc].slice(-LIMIT),
        future: [],
        last: key === undefined ? undefined : { key, at: action.at },
        edits: state.edits + 1,
      };
    }
    case "undo": {
      const previous = state.past.at(-1);
      if (!previous || !state.doc) return state;
      return { doc: previous, past: state.past.slice(0, -1), future: [state.doc, ...state.future], edits: state.edits + 1 };
    }
    case "redo": {
      const [next, ...rest] = state.future;
      if (!next || !state.doc) return state;
      return { doc: next, past: [...state.past, state.doc], future: rest, edits: state.edits + 1 };
    }
  }
}

export function useFlowHistory() {
  const [state, dispatch] = useReducer(reduce, { doc: undefined, past: [], future: [], edits: 0 });
  return {
    doc: state.doc,
    /** Counts edits (commands, undo, redo): autosave follows it. */
    edits: state.edits,
    canUndo: state.past.length > 0,
    canRedo: state.future.length > 0,
    apply: useCallback((command: Command) => dispatch({ kind: "apply", command, at: Date.now() }), []),
    undo: useCallback(() => dispatch({ kind: "undo" }), []),
    redo: useCallback(() => dispatch({ kind: "redo" }), []),
    load: useCallback((doc: FlowDocument) => dispatch({ kind: "load", doc }), []),
  };
}
