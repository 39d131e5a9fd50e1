import type { NodeTypeInfo } from "./flow-document.ts";

/** Every node type the tenant may use; choosing one adds a node (keyboard: Tab to it, Enter). */
export function Palette({ nodeTypes, onAdd }: { nodeTypes: readonly NodeTypeInfo[]; onAdd: (type: NodeTypeInfo) => void }) {
  return (
    <nav className="palette" aria-label="Add a node">
      <h2 className="palette-title">Add a node</h2>
      <ul>
        {nodeTypes.map((nodeType) => (
          <li key={nodeType.type}>
            <button type="button" className="palette-item" onClick={() => onAdd(nodeType)} title={nodeType.description ?? undefined} aria-label={`Add ${nodeType.type} node`}>
              <span className="type-tag">{nodeType.type}</span>
              {nodeType.plugin.startsWith("@platform/") ? null : <span className="muted small">{nodeType.plugin}</span>}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
