/**
 * JSON-Logic as rows a person can edit: (variable · operator · value) combined with all/any, in
 * groups that may nest. `readLogic` reads a rule into rows only when writing the rows back gives
 * the very same JSON; anything else (a `cat`, a `var` with a default, a literal `true`) is left to
 * the raw JSON editor, so opening a node never changes its rule.
 */

export const operators = [
  { op: "==", label: "equals", takesValue: true },
  { op: "!=", label: "does not equal", takesValue: true },
  { op: "<", label: "is less than", takesValue: true },
  { op: "<=", label: "is at most", takesValue: true },
  { op: ">", label: "is greater than", takesValue: true },
  { op: ">=", label: "is at least", takesValue: true },
  { op: "contains", label: "contains", takesValue: true },
  { op: "one-of", label: "is one of", takesValue: true },
  { op: "empty", label: "is empty", takesValue: false },
  { op: "not-empty", label: "is not empty", takesValue: false },
] as const;

export type Operator = (typeof operators)[number]["op"];
export type Scalar = string | number | boolean | null;
export type RuleRow = { kind: "rule"; variable: string; op: Operator; value: Scalar | Scalar[] };
export type RuleGroup = { kind: "group"; combinator: "all" | "any"; children: (RuleRow | RuleGroup)[]; explicit: boolean };

const comparisons = new Set(["==", "!=", "<", "<=", ">", ">="]);
type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => v === null || ["string", "number", "boolean"].includes(typeof v);
const single = (v: unknown): [string, unknown] | undefined => (isObject(v) && Object.keys(v).length === 1 ? Object.entries(v)[0] : undefined);

/** `{ "var": "user.age" }` → "user.age"; anything else (a default, a nested rule) → undefined. */
function variableOf(v: unknown): string | undefined {
  const entry = single(v);
  return entry && entry[0] === "var" && typeof entry[1] === "string" && entry[1] !== "" ? entry[1] : undefined;
}

function readRow(rule: unknown): RuleRow | undefined {
  const entry = single(rule);
  if (!entry) return undefined;
  const [op, args] = entry;
  if (comparisons.has(op) && Array.isArray(args) && args.length === 2) {
    const variable = variableOf(args[0]);
    if (variable && isScalar(args[1])) return { kind: "rule", variable, op: op as Operator, value: args[1] };
  }
  if (op === "in" && Array.isArray(args) && args.length === 2) {
    const inside = variableOf(args[1]);
    if (inside && typeof args[0] === "string") return { kind: "rule", variable: inside, op: "contains", value: args[0] };
    const variable = variableOf(args[0]);
    if (variable && Array.isArray(args[1]) && args[1].every(isScalar)) return { kind: "rule", variable, op: "one-of", value: args[1] as Scalar[] };
  }
  if (op === "!" || op === "!!") {
    const variable = variableOf(args);
    if (variable) return { kind: "rule", variable, op: op === "!" ? "empty" : "not-empty", value: null };
  }
  return undefined;
}

function readGroup(rule: unknown): RuleGroup | undefined {
  const entry = single(rule);
  if (entry && (entry[0] === "and" || entry[0] === "or") && Array.isArray(entry[1])) {
    const children: (RuleRow | RuleGroup)[] = [];
    for (const child of entry[1]) {
      const read = readRow(child) ?? readGroup(child);
      if (!read) return undefined;
      children.push(read);
    }
    return { kind: "group", combinator: entry[0] === "and" ? "all" : "any", children, explicit: true };
  }
  return undefined;
}

/** The rows of a rule, or undefined when the builder cannot show it exactly (the raw editor then). */
export function readLogic(rule: unknown): RuleGroup | undefined {
  if (rule === undefined || (isObject(rule) && Object.keys(rule).length === 0)) return emptyGroup();
  const row = readRow(rule);
  const group = row ? { kind: "group" as const, combinator: "all" as const, children: [row], explicit: false } : readGroup(rule);
  if (!group) return undefined;
  return JSON.stringify(writeLogic(group)) === JSON.stringify(rule) ? group : undefined;
}

export function emptyGroup(): RuleGroup {
  return { kind: "group", combinator: "all", children: [], explicit: false };
}

function writeRow(row: RuleRow): unknown {
  const variable = { var: row.variable };
  switch (row.op) {
    case "contains": return { in: [row.value, variable] };
    case "one-of": return { in: [variable, Array.isArray(row.value) ? row.value : [row.value]] };
    case "empty": return { "!": variable };
    case "not-empty": return { "!!": variable };
    default: return { [row.op]: [variable, row.value] };
  }
}

/** The JSON-Logic of a group; a top-level group of one row is that row alone; no rows is no rule. */
export function writeLogic(group: RuleGroup): unknown {
  const children = group.children.map((child) => (child.kind === "rule" ? writeRow(child) : writeLogic(child)));
  if (children.length === 0 && !group.explicit) return undefined;
  if (children.length === 1 && !group.explicit) return children[0];
  return { [group.combinator === "all" ? "and" : "or"]: children };
}

/**
 * What a person typed as a value: a number when it reads as one, true/false, else the text.
 * (JSON-Logic's == is loose, so "18" and 18 compare alike; < and > need numbers.)
 */
export function valueFromText(text: string): Scalar {
  const trimmed = text.trim();
  if (trimmed !== "" && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  return text;
}

export function textOfValue(value: Scalar | Scalar[]): string {
  if (Array.isArray(value)) return value.map((v) => String(v ?? "")).join(", ");
  return value === null ? "" : String(value);
}

/** "a, b, 3" → ["a", "b", 3]. */
export function listFromText(text: string): Scalar[] {
  return text.split(",").map((part) => part.trim()).filter((part) => part !== "").map(valueFromText);
}
