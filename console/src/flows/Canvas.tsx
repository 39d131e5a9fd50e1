/**
 * The canvas: a thin view over the flow document. Nodes and edges are derived from it; moving,
 * connecting and deleting become commands on it (FlowEditorPage). React Flow keeps only what is
 * its own: measured sizes and a drag in progress.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { Background, Controls, MiniMap, ReactFlow, applyNodeChanges, type Connection, type Edge, type EdgeChange, type NodeChange, type ReactFlowInstance } from "@xyflow/react";
import { connectionNames, contentRoutes, type FlowDocument, type FlowLayout, type NodeTypeInfo } from "./flow-document.ts";
import { FlowNodeCard, summarize, type FlowCanvasNode } from "./FlowNodeCard.tsx";

const nodeTypes = { flow: FlowNodeCard };

type Props = {
  doc: FlowDocument;
  positions: FlowLayout;
  types: ReadonlyMap<string, NodeTypeInfo>;
  problems: ReadonlyMap<string, string[]>;
  activeNode: string | null;
  /** Drop-off per node from analytics, drawn as a badge on each node. */
  dropOff?: ReadonlyMap<string, { dropOff: number; reached: number; rate: number }>;
  selected: readonly string[];
  onSelect: (ids: string[]) => void;
  onMove: (moves: FlowLayout) => void;
  onConnect: (source: string, name: string, target: string) => void;
  onDelete: (nodeIds: string[], connections: { source: string; name: string }[]) => void;
  onReady: (instance: ReactFlowInstance<FlowCanvasNode, Edge>) => void;
};

export function Canvas({ doc, positions, types, problems, activeNode, dropOff, selected, onSelect, onMove, onConnect, onDelete, onReady }: Props) {
  const [nodes, setNodes] = useState<FlowCanvasNode[]>([]);
  const [selectedEdges, setSelectedEdges] = useState<string[]>([]);

  useEffect(() => {
    setNodes((previous) => {
      const byId = new Map(previous.map((n) => [n.id, n]));
      return doc.nodes.map((node): FlowCanvasNode => {
        const old = byId.get(node.id);
        return {
          ...old,
          id: node.id,
          type: "flow",
          position: old?.dragging ? old.position : positions[node.id] ?? { x: 0, y: 0 },
          selected: selected.includes(node.id),
          ariaLabel: `${node.type} node ${node.id}${node.id === doc.start ? ", start" : ""}${problems.get(node.id)?.length ? `, ${problems.get(node.id)!.length} problems` : ""}${dropOff?.get(node.id)?.reached ? `, ${Math.round(dropOff.get(node.id)!.rate * 100)}% drop-off` : ""}`,
          data: {
            type: node.type,
            summary: summarize(node.content),
            handles: connectionNames(node, types.get(node.type)),
            problems: problems.get(node.id) ?? [],
            isStart: node.id === doc.start,
            active: node.id === activeNode,
            ...(dropOff?.has(node.id) ? { dropOff: dropOff.get(node.id)! } : {}),
          },
        };
      });
    });
  }, [doc, positions, types, problems, activeNode, dropOff, selected]);

  const edges = useMemo<Edge[]>(() => {
    const ids = new Set(doc.nodes.map((n) => n.id));
    return doc.nodes.flatMap((node) => [
      ...Object.entries(node.connections ?? {}).filter(([, target]) => ids.has(target)).map(([name, target]): Edge => ({
        id: `${node.id}\u0000${name}`, source: node.id, sourceHandle: name, target, label: name === "default" ? undefined : name,
        selected: selectedEdges.includes(`${node.id}\u0000${name}`), ariaLabel: `Connection ${name} from ${node.id} to ${target}`,
      })),
      ...contentRoutes(node).filter((r) => ids.has(r.target)).map((route): Edge => ({
        id: `${node.id}\u0000route:${route.name}`, source: node.id, target: route.target, label: route.name, deletable: false, selectable: false, className: "route-edge",
      })),
    ]);
  }, [doc, selectedEdges]);

  const nodesChanged = useCallback((changes: NodeChange<FlowCanvasNode>[]) => {
    setNodes((current) => applyNodeChanges(changes.filter((c) => c.type !== "select" && c.type !== "remove"), current));
    // A drag's end, or an arrow key: one step of history for every node moved together.
    const moved = changes.filter((c) => c.type === "position" && c.position && !c.dragging);
    if (moved.length > 0) onMove(Object.fromEntries(moved.map((c) => [c.type === "position" ? c.id : "", (c as { position: { x: number; y: number } }).position])));
    const selection = changes.filter((c) => c.type === "select");
    if (selection.length > 0) {
      const next = new Set(selected);
      for (const change of selection) {
        if (change.type !== "select") continue;
        if (change.selected) next.add(change.id);
        else next.delete(change.id);
      }
      onSelect([...next]);
    }
  }, [onMove, onSelect, selected]);

  const edgesChanged = useCallback((changes: EdgeChange[]) => {
    const selection = changes.filter((c) => c.type === "select");
    if (selection.length === 0) return;
    setSelectedEdges((current) => {
      const next = new Set(current);
      for (const change of selection) {
        if (change.type !== "select") continue;
        if (change.selected) next.add(change.id);
        else next.delete(change.id);
      }
      return [...next];
    });
  }, []);

  return (
    <ReactFlow<FlowCanvasNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={nodesChanged}
      onEdgesChange={edgesChanged}
      onConnect={(connection: Connection) => onConnect(connection.source, connection.sourceHandle ?? "default", connection.target)}
      onDelete={({ nodes: gone, edges: cut }) => onDelete(gone.map((n) => n.id), cut.filter((e) => e.sourceHandle).map((e) => ({ source: e.source, name: e.sourceHandle! })))}
      onInit={onReady}
      deleteKeyCode={["Delete", "Backspace"]}
      multiSelectionKeyCode={["Shift", "Meta", "Control"]}
      selectionOnDrag={false}
      fitView
      fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
      minZoom={0.2}
      maxZoom={2}
      proOptions={{ hideAttribution: false }}
      aria-label="Flow canvas"
    >
      <Background gap={24} />
      <Controls aria-label="Zoom" fitViewOptions={{ padding: 0.2, maxZoom: 1 }} />
      <MiniMap pannable zoomable ariaLabel="Minimap" style={{ width: 140, height: 100 }} />
    </ReactFlow>
  );
}
