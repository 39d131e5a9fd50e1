/**
 * The flow document, the editor's one truth: `{ start, nodes: [{ id, type, content, connections }],
 * layout? }`, exactly what the API stores. Every edit is a pure function from one document to the
 * next (undo and redo keep the documents), and fields a person did not touch are left as they came,
 * so what is imported exports unchanged.
 */
export type FlowNode = { id: string; type: string; content?: Record<string, unknown>; connections?: Record<string, string> };
export type Position = { x: number; y: number };
export type FlowLayout = Record<string, Position>;
export type FlowDocument = { start: string; nodes: FlowNode[]; layout?: FlowLayout };

export type NodeTypeInfo = {
  type: string;
  plugin: string;
  pluginVersion: string;
  description: string | null;
  connections: string[] | "any";
  waitsForInput: boolean;
  contentSchema: JsonSchema;
  /** The content's fields, flattened by the API for the node-type reference. */
  fields?: NodeTypeField[];
  /** The smallest content that passes the schema. */
  example?: unknown;
};
export type NodeTypeField = { path: string; type: string; required: boolean; description: string | null; default?: unknown; allowed?: unknown[]; limits?: string };
export type JsonSchema = { [key: string]: unknown };

/** Connection names a node offers as handles: the type's own, or for free-form types the usual ones, its choices' values and what it already uses. */
export function connectionNames(node: FlowNode, nodeType: NodeTypeInfo | undefined): string[] {
  const used = Object.keys(node.connections ?? {});
  if (nodeType && nodeType.connections !== "any") return [...new Set([...nodeType.connections, ...used])];
  const choices = Array.isArray(node.content?.choices) ? (node.content.choices as { value?: unknown }[]).map((c) => c.value).filter((v): v is string => typeof v === "string" && v !== "") : [];
  return [...new Set(["default", ...choices, "error", ...used])];
}

/** Targets a node names in its content rather than its connections (a condition's branches), drawn as dashed edges. */
export function contentRoutes(node: FlowNode): { name: string; target: string }[] {
  if (node.type !== "condition") return [];
  const conditions = Array.isArray(node.content?.conditions) ? (node.content.conditions as { then?: unknown }[]) : [];
  const routes = conditions.flatMap((c, i) => (typeof c.then === "string" && c.then ? [{ name: `when ${i + 1}`, target: c.then }] : []));
  if (typeof node.content?.else === "string" && node.content.else) routes.push({ name: "else", target: node.content.else });
  return routes;
}

export function uniqueId(doc: FlowDocument, base: string): string {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const stem = base.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 80) || "node";
  for (let i = 1; ; i++) if (!taken.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

/** A layout naming every node: the stored position, else the automatic one. */
function fullLayout(doc: FlowDocument, positions: FlowLayout): FlowLayout {
  return Object.fromEntries(doc.nodes.map((n) => [n.id, doc.layout?.[n.id] ?? positions[n.id] ?? { x: 0, y: 0 }]));
}

const round = (p: Position): Position => ({ x: Math.round(p.x), y: Math.round(p.y) });

export function addNode(doc: FlowDocument, node: FlowNode, at: Position, positions: FlowLayout): FlowDocument {
  return { ...doc, nodes: [...doc.nodes, node], layout: { ...fullLayout(doc, positions), [node.id]: round(at) } };
}

export function moveNodes(doc: FlowDocument, moves: FlowLayout, positions: FlowLayout): FlowDocument {
  const layout = fullLayout(doc, positions);
  for (const [id, at] of Object.entries(moves)) if (layout[id]) layout[id] = round(at);
  return { ...doc, layout };
}

export function setLayout(doc: FlowDocument, layout: FlowLayout): FlowDocument {
  return { ...doc, layout: Object.fromEntries(doc.nodes.map((n) => [n.id, round(layout[n.id] ?? { x: 0, y: 0 })])) };
}

/** Removes nodes, every connection into them, and single connections by `source:name`. */
export function removeElements(doc: FlowDocument, nodeIds: readonly string[], connections: readonly { source: string; name: string }[] = []): FlowDocument {
  const gone = new Set(nodeIds);
  const cut = new Set(connections.map((c) => `${c.source}\u0000${c.name}`));
  const nodes = doc.nodes.filter((n) => !gone.has(n.id)).map((n) => {
    if (!n.connections) return n;
    const kept = Object.entries(n.connections).filter(([name, target]) => !gone.has(target) && !cut.has(`${n.id}\u0000${name}`));
    return kept.length === Object.keys(n.connections).length ? n : { ...n, connections: Object.fromEntries(kept) };
  });
  if (nodes.length === 0) return doc;
  const layout = doc.layout ? Object.fromEntries(Object.entries(doc.layout).filter(([id]) => !gone.has(id))) : undefined;
  return { ...doc, start: gone.has(doc.start) ? nodes[0]!.id : doc.start, nodes, ...(layout ? { layout } : {}) };
}

export function connect(doc: FlowDocument, source: string, name: string, target: string): FlowDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === source ? { ...n, connections: { ...n.connections, [name]: target } } : n)) };
}

export function disconnect(doc: FlowDocument, source: string, name: string): FlowDocument {
  return removeElements(doc, [], [{ source, name }]);
}

export function setContent(doc: FlowDocument, id: string, content: Record<string, unknown>): FlowDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, content } : n)) };
}

export function setStart(doc: FlowDocument, id: string): FlowDocument {
  return { ...doc, start: id };
}

/** Pastes copies with fresh ids, offset from the originals; connections among the copies follow them, others are dropped. */
export function pasteNodes(doc: FlowDocument, copied: readonly FlowNode[], copiedPositions: FlowLayout, positions: FlowLayout): { doc: FlowDocument; ids: string[] } {
  let next = doc;
  const renamed = new Map<string, string>();
  for (const node of copied) {
    const id = uniqueId(next, node.id.replace(/_\d+$/, ""));
    renamed.set(node.id, id);
    next = { ...next, nodes: [...next.nodes, { ...node, id }] };
  }
  const layout = fullLayout(doc, positions);
  const nodes = next.nodes.map((n) => {
    const original = copied.find((c) => renamed.get(c.id) === n.id);
    if (!original) return n;
    const p = copiedPositions[original.id] ?? { x: 0, y: 0 };
    layout[n.id] = round({ x: p.x + 40, y: p.y + 40 });
    const connections = Object.fromEntries(Object.entries(original.connections ?? {}).filter(([, t]) => renamed.has(t)).map(([name, t]) => [name, renamed.get(t)!]));
    return { ...n, connections };
  });
  return { doc: { ...next, nodes, layout }, ids: [...renamed.values()] };
}

/** Reads a flow JSON a person imports; refuses what is not a flow at all (the API checks the rest). */
export function parseFlowJson(text: string): FlowDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("That file is not JSON.");
  }
  const flow = value as Partial<FlowDocument> | null;
  if (!flow || typeof flow !== "object" || typeof flow.start !== "string" || !Array.isArray(flow.nodes) || flow.nodes.length === 0) {
    throw new Error("That file is not a flow: it needs a `start` and a non-empty list of `nodes`.");
  }
  if (flow.nodes.some((n) => !n || typeof n !== "object" || typeof (n as FlowNode).id !== "string" || typeof (n as FlowNode).type !== "string")) {
    throw new Error("Every node needs an `id` and a `type`.");
  }
  return flow as FlowDocument;
}

export function flowJson(doc: FlowDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Variable paths the flow writes or names (`user.name`…), offered in templates. */
export function variablesInScope(doc: FlowDocument): string[] {
  const found = new Set(["context.channel", "context.locale"]);
  const path = /^(user|session|temp|context)\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
  const reference = /\{\{\s*((?:user|session|temp|context)\.[A-Za-z0-9_.-]+)\s*\}\}/g;
  const walk = (value: unknown): void => {
    if (typeof value === "string") {
      if (path.test(value)) found.add(value);
      for (const match of value.matchAll(reference)) found.add(match[1]!);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (path.test(key)) found.add(key);
        walk(inner);
      }
    }
  };
  for (const node of doc.nodes) walk(node.content);
  return [...found].sort();
}
