/** Positions for nodes that have none (an imported flow), top to bottom along the connections, with dagre. */
import dagre from "@dagrejs/dagre";
import { contentRoutes, type FlowDocument, type FlowLayout } from "./flow-document.ts";

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 96;

export function autoLayout(doc: FlowDocument): FlowLayout {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 70, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(doc.nodes.map((n) => n.id));
  for (const node of doc.nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const node of doc.nodes) {
    const targets = [...Object.values(node.connections ?? {}), ...contentRoutes(node).map((r) => r.target)];
    for (const target of targets) if (ids.has(target) && target !== node.id) graph.setEdge(node.id, target);
  }
  dagre.layout(graph);
  return Object.fromEntries(doc.nodes.map((n) => {
    const placed = graph.node(n.id);
    return [n.id, { x: Math.round(placed.x - NODE_WIDTH / 2), y: Math.round(placed.y - NODE_HEIGHT / 2) }];
  }));
}
