/**
 * The shape of a run's input without its data: the same keys, nesting and kinds of value, with
 * every value replaced by a placeholder of its kind ("" for text, 0 or 0.5 for whole and other
 * numbers, false, null) and every array cut to its first element.
 *
 * Why: V8 builds an object's hidden class the first time it meets that set of keys in a context,
 * and each run gets a fresh context, so a warm run's JSON.parse and JSON.stringify spent about 8 µs
 * building them again. The spare context parses this shape while it is primed (isolate-bootstrap.ts),
 * before the run arrives. Only the code that received the last input is primed with its shape
 * (see TenantIsolate.prime), and no value of it reaches the new context: nothing a run could read
 * is carried over, only how fast it parses the same keys.
 *
 * Returns "" when the input is not worth it or would be too costly to reduce (large, or a
 * dictionary with many keys, whose hidden classes V8 does not keep anyway).
 */
export function inputShape(inputJson: string): string {
  if (inputJson.length > MAX_INPUT_CHARS || inputJson.length < 2 || (inputJson[0] !== "{" && inputJson[0] !== "[")) return "";
  let value: unknown;
  try { value = JSON.parse(inputJson); } catch { return ""; }
  const budget = { keys: MAX_KEYS };
  const shape = shapeOf(value, budget, 0);
  return budget.keys < 0 ? "" : JSON.stringify(shape);
}

const MAX_INPUT_CHARS = 64 * 1024;
const MAX_KEYS = 256;
const MAX_DEPTH = 16;

function shapeOf(value: unknown, budget: { keys: number }, depth: number): unknown {
  if (typeof value === "string") return "";
  if (typeof value === "number") return Number.isInteger(value) ? 0 : 0.5;
  if (typeof value === "boolean") return false;
  if (value === null || typeof value !== "object" || depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0], budget, depth + 1)];
  // No prototype, so a key named __proto__ is a key like any other.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (--budget.keys < 0) return null;
    out[key] = shapeOf((value as Record<string, unknown>)[key], budget, depth + 1);
  }
  return out;
}
