/** The cluster's broker nodes: available or not, last heartbeat, CPU, and the plugins each one runs. */
import { useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Layout } from "../shell/Layout.tsx";
import { operatorApi, operatorKeys } from "./api.ts";
import "./operator.css";

export default function NodesPage() {
  const nodes = useQuery({ queryKey: operatorKeys.nodes, queryFn: operatorApi.nodes, refetchInterval: 10_000 });
  return (
    <Layout title="Nodes">
      {nodes.isPending && <p role="status">Loading nodes…</p>}
      {nodes.isError && <p role="alert" className="alert">{describeError(nodes.error)}</p>}
      {nodes.data && (
        <ul className="node-cards" aria-label="Broker nodes">
          {nodes.data.map((node) => (
            <li key={node.id} className="node-card" aria-labelledby={`node-${node.id}`}>
              <h2 id={`node-${node.id}`}>{node.id}{node.local && <span className="muted small"> (this node)</span>}</h2>
              <p><span className={`badge ${node.available ? "live" : "warn"}`}>{node.available ? "available" : "offline"}</span></p>
              <dl className="facts">
                <dt>Host</dt><dd>{node.hostname ?? "—"}{node.ipList.length > 0 && <span className="muted small"> {node.ipList.join(", ")}</span>}</dd>
                <dt>CPU</dt><dd>{node.cpu === null ? "—" : `${Math.round(node.cpu)} %`}</dd>
                <dt>Last heartbeat</dt><dd>{node.lastHeartbeatAt ? new Date(node.lastHeartbeatAt).toLocaleTimeString("en") : "—"}</dd>
                {node.offlineSince && <><dt>Offline since</dt><dd>{new Date(node.offlineSince).toLocaleString("en")}</dd></>}
                <dt>Services</dt><dd>{node.services}</dd>
              </dl>
              <h3>Plugins ({node.plugins.length})</h3>
              {node.plugins.length === 0 ? <p className="muted small">None.</p> : <ul className="plugin-names">{node.plugins.map((p) => <li key={p}><code>{p}</code></li>)}</ul>}
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
