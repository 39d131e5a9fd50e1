import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { nodeTypeKeys, nodeTypesApi } from "../flows/api.ts";
import type { NodeTypeInfo } from "../flows/flow-document.ts";
import { Layout } from "../shell/Layout.tsx";
import { InlineCode } from "../shell/InlineCode.tsx";

/**
 * The node-type reference: every type this tenant's flows may use (installed marketplace types
 * included), its fields and a minimal node, as the API describes them. The same reference for the
 * platform's own types is public at /docs/node-types.
 */
export function NodeTypesPage() {
  const types = useQuery({ queryKey: nodeTypeKeys.all, queryFn: nodeTypesApi.list });
  const [filter, setFilter] = useState("");
  const shown = useMemo(() => {
    const words = filter.trim().toLowerCase();
    return (types.data ?? []).filter((t) => !words || `${t.type} ${t.description ?? ""} ${t.plugin}`.toLowerCase().includes(words));
  }, [types.data, filter]);

  return (
    <Layout title="Node types">
      <p className="muted">What each step of a flow takes in its <code>content</code>, from the schemas the platform checks flows with. Also as a page of the API docs: <a href="/docs/node-types">/docs/node-types</a>.</p>
      <label className="field reference-filter">
        Find a node type
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="question, webhook, crm…" />
      </label>
      {types.isPending && <p role="status">Loading node types…</p>}
      {types.isError && <p role="alert" className="alert">{describeError(types.error)}</p>}
      <p role="status" className="visually-hidden">{types.data ? `${shown.length} of ${types.data.length} node types` : ""}</p>
      {types.data && shown.length === 0 && <p>No node type matches “{filter}”.</p>}
      <nav aria-label="Node types on this page" className="reference-index">
        <ul>{shown.map((t) => <li key={t.type}><a href={`#type-${t.type}`}><code>{t.type}</code></a></li>)}</ul>
      </nav>
      {shown.map((t) => <NodeTypeSection key={t.type} type={t} />)}
    </Layout>
  );
}

function NodeTypeSection({ type }: { type: NodeTypeInfo }) {
  const connections = type.connections === "any" ? "any name (its choice values)" : type.connections.join(", ") || "none: it ends the flow";
  const example = { id: `my-${type.type}`, type: type.type, content: type.example ?? {} };
  return (
    <section className="reference-type" id={`type-${type.type}`} aria-label={type.type}>
      <h2><code>{type.type}</code> {type.waitsForInput && <span className="badge draft">waits for the user</span>}</h2>
      {type.description && <p>{type.description}</p>}
      <p className="small muted">Connections: {connections}. From {type.plugin} {type.pluginVersion}.</p>
      {type.fields && type.fields.length > 0 ? (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={`Fields of ${type.type}`}>
          <table className="reference-table">
            <thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Meaning</th></tr></thead>
            <tbody>
              {type.fields.map((f) => (
                <tr key={f.path}>
                  <td><code>{f.path}</code>{f.required && <> <span className="req">required</span></>}</td>
                  <td>{f.type}</td>
                  <td>
                    {f.description && <InlineCode text={f.description} />}
                    {f.allowed && <div className="small">Allowed: {f.allowed.map((a) => JSON.stringify(a)).join(", ")}</div>}
                    {f.default !== undefined && <div className="small">Default: {JSON.stringify(f.default)}</div>}
                    {f.limits && <div className="small">{f.limits}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p className="small">No content fields.</p>}
      <details>
        <summary>A minimal node</summary>
        <pre className="code-block">{JSON.stringify(example, null, 2)}</pre>
      </details>
    </section>
  );
}
