import { useId } from "react";
import { connectionNames, type FlowDocument, type FlowNode, type NodeTypeInfo } from "./flow-document.ts";
import { SchemaField } from "./form/SchemaField.tsx";

type Props = {
  doc: FlowDocument;
  node: FlowNode;
  nodeType: NodeTypeInfo | undefined;
  problems: readonly string[];
  variables: readonly string[];
  onContent: (content: Record<string, unknown>) => void;
  onConnect: (name: string, target: string | undefined) => void;
  onStart: () => void;
  onDelete: () => void;
};

/** The selected node's settings: its content form (from the type's JSON Schema), its connections, its problems. */
export function NodeForm({ doc, node, nodeType, problems, variables, onContent, onConnect, onStart, onDelete }: Props) {
  const baseId = useId();
  const names = connectionNames(node, nodeType);
  return (
    <section className="node-form" aria-labelledby={`${baseId}-title`}>
      <header>
        <h2 id={`${baseId}-title`}><span className="type-tag">{node.type}</span> {node.id}</h2>
        {nodeType?.description && <p className="muted small">{nodeType.description}</p>}
        {!nodeType && <p className="alert small">This node type is not available to your tenant; its content is shown as JSON.</p>}
      </header>
      {problems.length > 0 && (
        <div className="problems" role="group" aria-label="Problems with this node">
          <ul>{problems.map((problem) => <li key={problem}>{problem}</li>)}</ul>
        </div>
      )}
      <div className="form-actions">
        {doc.start === node.id ? <span className="badge live">Start node</span> : <button type="button" className="button small" onClick={onStart}>Start here</button>}
        <button type="button" className="button small danger" onClick={onDelete}>Delete node</button>
      </div>
      <form className="content-form" aria-label={`${node.id} settings`} onSubmit={(event) => event.preventDefault()}>
        <SchemaField schema={nodeType?.contentSchema ?? {}} root={nodeType?.contentSchema ?? {}} name="content" label="Content" value={node.content ?? {}} variables={variables} onChange={(next) => onContent((next ?? {}) as Record<string, unknown>)} />
      </form>
      {names.length > 0 && (
        <fieldset className="group connections">
          <legend>Connections</legend>
          {names.map((name) => (
            <div className="field" key={name}>
              <label htmlFor={`${baseId}-c-${name}`}>{name}</label>
              <select id={`${baseId}-c-${name}`} value={node.connections?.[name] ?? ""} onChange={(event) => onConnect(name, event.target.value || undefined)}>
                <option value="">(not connected)</option>
                {doc.nodes.filter((other) => other.id !== node.id || nodeType?.waitsForInput).map((other) => <option key={other.id} value={other.id}>{other.id}</option>)}
              </select>
            </div>
          ))}
        </fieldset>
      )}
    </section>
  );
}
