import { memo } from "react";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";

export type FlowNodeData = {
  type: string;
  summary: string;
  handles: string[];
  problems: string[];
  isStart: boolean;
  active: boolean;
  /** Of the sessions that reached this node in the last 30 days, how many dropped off here (analytics). */
  dropOff?: { dropOff: number; reached: number; rate: number };
};
export type FlowCanvasNode = Node<FlowNodeData, "flow">;

/** One flow node on the canvas: its type, id and first words, a handle per connection name, its problems. */
export const FlowNodeCard = memo(function FlowNodeCard({ id, data, selected }: NodeProps<FlowCanvasNode>) {
  const classes = ["flow-node", selected && "selected", data.problems.length > 0 && "invalid", data.active && "active", data.isStart && "start"].filter(Boolean).join(" ");
  return (
    <div className={classes} data-node-id={id} data-active={data.active || undefined}>
      {/* Handles are for the mouse; the node's form connects by keyboard (a div with no role may not carry a label). */}
      <Handle type="target" position={Position.Top} />
      <div className="flow-node-head">
        <span className="type-tag">{data.type}</span>
        {data.isStart && <span className="start-tag">Start</span>}
        {data.dropOff && data.dropOff.reached > 0 && (
          <span className={data.dropOff.rate >= 0.2 ? "drop-tag high" : "drop-tag"} title={`${data.dropOff.dropOff} of ${data.dropOff.reached} sessions that reached this node in the last 30 days dropped off here`}>
            {(data.dropOff.rate * 100).toFixed(0)}% drop-off
          </span>
        )}
        {data.problems.length > 0 && <span className="problem-tag" title={data.problems.join("\n")}>{data.problems.length} problem{data.problems.length === 1 ? "" : "s"}</span>}
      </div>
      <div className="flow-node-id">{id}</div>
      {data.summary && <div className="flow-node-summary">{data.summary}</div>}
      {data.problems.length > 0 && <div className="flow-node-problem" role="note">{data.problems[0]}</div>}
      <div className="flow-node-outs">
        {data.handles.map((name) => <span key={name} className="out-label">{name}</span>)}
      </div>
      {data.handles.map((name, i) => (
        <Handle key={name} id={name} type="source" position={Position.Bottom} style={{ left: `${((i + 1) / (data.handles.length + 1)) * 100}%` }} />
      ))}
    </div>
  );
});

/** The first text a person wrote in the node, to recognise it at a glance. */
export function summarize(content: unknown): string {
  const walk = (value: unknown): string | undefined => {
    if (typeof value === "string" && value.trim() && !/^[a-z]+\.[\w.]+$/.test(value)) return value;
    if (Array.isArray(value)) for (const item of value) { const found = walk(item); if (found) return found; }
    if (value && typeof value === "object") for (const [key, inner] of Object.entries(value)) { if (key === "type") continue; const found = walk(inner); if (found) return found; }
    return undefined;
  };
  const text = walk(content) ?? "";
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
