/**
 * What a turn changed in a session's variables, path by path (`user.name`), for the people testing
 * a flow: the console's test panel lists it under each turn. Leaves are compared as JSON; an
 * object that appeared or vanished is reported at its leaves, so a form of nested answers reads as
 * the fields it holds.
 */
import type { Scopes } from "./variables.ts";

export type VariableChange = { path: string; before: unknown; after: unknown };

/** At most this many changes are reported per turn: a flow that rewrites a big object is summarised, not dumped. */
const MAX_CHANGES = 200;

export function variableChanges(before: Scopes, after: Scopes, skipScopes: readonly string[] = ["temp"]): VariableChange[] {
  const changes: VariableChange[] = [];
  const walk = (path: string, a: unknown, b: unknown) => {
    if (changes.length >= MAX_CHANGES) return;
    const plain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (plain(a) && plain(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(`${path}.${key}`, a[key], b[key]);
      return;
    }
    if (plain(a) && b === undefined) { for (const key of Object.keys(a)) walk(`${path}.${key}`, a[key], undefined); return; }
    if (plain(b) && a === undefined) { for (const key of Object.keys(b)) walk(`${path}.${key}`, undefined, b[key]); return; }
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ path, before: a ?? null, after: b ?? null });
  };
  for (const scope of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (skipScopes.includes(scope)) continue;
    walk(scope, before[scope] ?? {}, after[scope] ?? {});
  }
  return changes;
}
