/** What changed between two flows, in sentences a person reads: nodes added and removed, fields and connections changed. */
import type { FlowDocument, FlowNode } from "./flow-document.ts";

export type Change = { kind: "added" | "removed" | "changed"; text: string };

function flatten(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value).map(([k, v]) => [prefix ? `.${k}` : k, v] as const);
    if (entries.length === 0) out.set(prefix, Array.isArray(value) ? "[]" : "{}");
    for (const [key, inner] of entries) flatten(inner, `${prefix}${key}`, out);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

const short = (text: string | undefined) => (text === undefined ? "nothing" : text.length > 60 ? `${text.slice(0, 57)}…"` : text);

export function diffFlows(before: FlowDocument, after: FlowDocument): Change[] {
  const changes: Change[] = [];
  if (before.start !== after.start) changes.push({ kind: "changed", text: `The start moved from ${before.start} to ${after.start}.` });
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  for (const node of after.nodes) if (!old.has(node.id)) changes.push({ kind: "added", text: `Added ${node.type} node ${node.id}.` });
  for (const node of before.nodes) if (!now.has(node.id)) changes.push({ kind: "removed", text: `Removed ${node.type} node ${node.id}.` });
  for (const node of after.nodes) {
    const previous = old.get(node.id);
    if (previous) changes.push(...nodeChanges(previous, node));
  }
  return changes;
}

function nodeChanges(before: FlowNode, after: FlowNode): Change[] {
  const changes: Change[] = [];
  if (before.type !== after.type) changes.push({ kind: "changed", text: `${after.id}: type ${before.type} → ${after.type}.` });
  const a = flatten(before.content ?? {}, "", new Map());
  const b = flatten(after.content ?? {}, "", new Map());
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(key) !== b.get(key)) changes.push({ kind: a.has(key) ? (b.has(key) ? "changed" : "removed") : "added", text: `${after.id}: ${key || "content"} ${short(a.get(key))} → ${short(b.get(key))}.` });
  }
  const names = new Set([...Object.keys(before.connections ?? {}), ...Object.keys(after.connections ?? {})]);
  for (const name of names) {
    const from = before.connections?.[name];
    const to = after.connections?.[name];
    if (from !== to) changes.push({ kind: from ? (to ? "changed" : "removed") : "added", text: `${after.id}: connection ${name} ${from ?? "(none)"} → ${to ?? "(none)"}.` });
  }
  return changes;
}
