/**
 * Where the seed's variables live in our scopes, and its single-brace templates.
 *
 * The seed's state has five scopes: `session` (the session record), `user`, `variables` (the
 * flow's own variables), `context` and `temp`. Ours are `user`, `context`, `session` (the flow's
 * own variables, kept for the conversation) and `temp`. So:
 *
 * | seed                                   | ours                    |
 * | -------------------------------------- | ----------------------- |
 * | `user.x`, `context.x`, `temp.x`        | the same                |
 * | `variables.x`                          | `session.x`             |
 * | unscoped `x`, `x.y` (`user_name`)      | `session.x`, `session.x.y` |
 * | `session.x`                            | `session.x` (the seed's session record is not a variable scope here: our session's id, status and node are in the session itself) |
 * | `input.x`, `output.x`, `local.x`       | the same (inside a composite) |
 * | `{secret:name}`, `{{secret:name}}`     | `{{secret:name}}`       |
 *
 * Single braces become double in template fields only (never in a pattern or JSON-Logic):
 * `{user.id}` → `{{user.id}}`, `{book_preferences}` → `{{session.book_preferences}}`. Braces around
 * anything that is not a variable name (`{2,50}`, `{ "a": 1 }`) stay as written, and so do double
 * braces, whose paths are mapped like any other.
 */
const kept = new Set(["user", "context", "session", "temp", "input", "output", "local"]);

/** `home` is where unscoped variables go: `session` in a flow, `local` inside a composite's sub-flow. */
export type SeedHome = "session" | "local";

export function seedPath(path: string, home: SeedHome = "session"): string {
  const [first, ...rest] = path.split(".");
  if (first === "variables" && rest.length > 0) return `${home}.${rest.join(".")}`;
  if (first !== undefined && kept.has(first) && rest.length > 0) return path;
  return `${home}.${path}`;
}

const name = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*$/;
const secret = /^secret:([a-z][a-z0-9_]*)$/;
// A `{...}` not part of `{{` or `}}`, or a `{{...}}`.
const braces = /\{\{\s*([^{}]*?)\s*\}\}|(?<!\{)\{\s*([^{}\s][^{}]*?)\s*\}(?!\})/g;

export function seedTemplate(text: string, home: SeedHome = "session"): string {
  return text.replace(braces, (whole, double: string | undefined, single: string | undefined) => {
    const inner = double ?? single ?? "";
    if (secret.test(inner)) return `{{${inner}}}`;
    if (name.test(inner)) return `{{${seedPath(inner, home)}}}`;
    return whole;
  });
}

/** Templates inside a JSON value: every string, in lists and objects. */
export function seedTemplates(value: unknown, home: SeedHome = "session"): unknown {
  if (typeof value === "string") return seedTemplate(value, home);
  if (Array.isArray(value)) return value.map((v) => seedTemplates(v, home));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, seedTemplates(v, home)]));
  return value;
}

/** True when the text holds a single-brace reference the seed writes (`{user.id}`, `{secret:x}`). */
export function hasSeedPlaceholder(text: string): boolean {
  for (const match of text.matchAll(braces)) {
    const single = match[2];
    if (single === undefined) continue;
    if (secret.test(single)) return true;
    const [first] = single.split(".");
    if (name.test(single) && single.includes(".") && first !== undefined && (kept.has(first) || first === "variables")) return true;
  }
  return false;
}
