import { ValidationError } from "../../sdk/platform-error.ts";

/**
 * The audit log pages by the last entry seen (its time and id), not by offset: entries keep
 * arriving at the top while someone reads further down, and an offset would then repeat rows.
 * The cursor is opaque to clients: base64url of `at|id`.
 */
export function encodeCursor(entry: { at: string; id: string }): string {
  return Buffer.from(`${entry.at}|${entry.id}`).toString("base64url");
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !id || !uuid.test(id) || Number.isNaN(Date.parse(at))) throw new ValidationError("AUDIT_CURSOR_INVALID", "This cursor is not one the audit log gave");
  return { at, id };
}
