/**
 * A copy of the draft in this browser until the platform has it: written before every save and
 * dropped once the save went through. A session that expires mid-edit, a lost connection or a
 * closed tab therefore loses nothing: the next time the editor opens this bot, it offers the copy
 * back. localStorage, because the copy must outlive the tab and the sign-in.
 */
import type { FlowDocument } from "./flow-document.ts";

export type UnsavedDraft = { doc: FlowDocument; baseRevision: number | undefined; at: string };

const keyOf = (botId: string) => `bp-console:unsaved-draft:${botId}`;

export const unsavedDraft = {
  keep(botId: string, doc: FlowDocument, baseRevision: number | undefined): void {
    try {
      localStorage.setItem(keyOf(botId), JSON.stringify({ doc, baseRevision, at: new Date().toISOString() } satisfies UnsavedDraft));
    } catch {
      // Storage full or disabled: the save itself still runs.
    }
  },
  read(botId: string): UnsavedDraft | undefined {
    try {
      const raw = localStorage.getItem(keyOf(botId));
      return raw ? (JSON.parse(raw) as UnsavedDraft) : undefined;
    } catch {
      return undefined;
    }
  },
  drop(botId: string): void {
    try {
      localStorage.removeItem(keyOf(botId));
    } catch {
      // Nothing kept.
    }
  },
};
