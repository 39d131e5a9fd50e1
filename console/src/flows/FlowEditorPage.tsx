/**
 * The flow editor: palette, canvas and a side panel (the selected node's form, or the test chat).
 * Every edit is a command on the flow document (history.ts); the draft autosaves; the API's
 * problems are pinned on their nodes; publishing makes a version.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Edge, ReactFlowInstance } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { ApiError, describeError, type ProblemDetail } from "../api/client.ts";
import { botKeys, botsApi, currentFlow } from "../bots/api.ts";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { TestPanel } from "../test-panel/TestPanel.tsx";
import { analyticsApi, analyticsKeys, lastDays } from "../analytics/api.ts";
import { nodeTypeKeys, nodeTypesApi } from "./api.ts";
import { autoLayout, NODE_HEIGHT, NODE_WIDTH } from "./auto-layout.ts";
import { Canvas } from "./Canvas.tsx";
import { addNode, connect, contentRoutes, disconnect, flowJson, moveNodes, parseFlowJson, pasteNodes, removeElements, setContent, setLayout, setStart, uniqueId, variablesInScope, type FlowDocument, type FlowLayout, type FlowNode, type NodeTypeInfo } from "./flow-document.ts";
import type { FlowCanvasNode } from "./FlowNodeCard.tsx";
import { defaultFor } from "./form/json-schema.ts";
import { useFlowHistory } from "./history.ts";
import { NodeForm } from "./NodeForm.tsx";
import { Palette } from "./Palette.tsx";
import { useAutosave } from "./use-autosave.ts";
import { unsavedDraft, type UnsavedDraft } from "./unsaved-draft.ts";

let clipboard: { nodes: FlowNode[]; positions: FlowLayout } | undefined;

export default function FlowEditorPage({ botId }: { botId: string }) {
  const queryClient = useQueryClient();
  const loaded = useQuery({ queryKey: botKeys.flow(botId), queryFn: () => currentFlow(botId), staleTime: Infinity, refetchOnWindowFocus: false });
  const types = useQuery({ queryKey: nodeTypeKeys.all, queryFn: nodeTypesApi.list, staleTime: 60_000 });
  // Drop-off per node over the last 30 days, drawn on the canvas; a failed read only hides the badges.
  const last30 = useMemo(() => lastDays(30), []);
  const nodeFigures = useQuery({ queryKey: analyticsKeys.nodes(botId, last30), queryFn: () => analyticsApi.nodes(botId, last30), staleTime: 60_000, retry: false });
  // One map per answer (not per render): the canvas redraws its nodes when it changes.
  const dropOffs = useMemo(() => nodeFigures.data && new Map(nodeFigures.data.map((n) => [n.nodeId, { dropOff: n.dropOff, reached: n.reached, rate: n.dropOffRate }])), [nodeFigures.data]);
  const history = useFlowHistory();
  const { doc, apply } = history;
  const [selected, setSelected] = useState<string[]>([]);
  const [problemList, setProblemList] = useState<ProblemDetail[]>([]);
  const [notice, setNotice] = useState<string>();
  const [panel, setPanel] = useState<"node" | "test">("node");
  const [activeNode, setActiveNode] = useState<string | null>(null);
  const instance = useRef<ReactFlowInstance<FlowCanvasNode, Edge>>(undefined);
  const fileInput = useRef<HTMLInputElement>(null);
  const autosave = useAutosave(botId, doc, history.edits, setProblemList);

  // Changes this browser kept because they never reached the platform (an expired sign-in, a lost connection).
  const [kept, setKept] = useState<UnsavedDraft>();
  const loadedFlow = loaded.data?.flow;
  useEffect(() => {
    if (!loadedFlow || !loaded.data) return;
    history.load(loadedFlow);
    autosave.markSaved(history.edits, loaded.data.bot.draftRevision);
    const copy = unsavedDraft.read(botId);
    if (copy && JSON.stringify(copy.doc) !== JSON.stringify(loadedFlow)) setKept(copy);
    else unsavedDraft.drop(botId);
    // Load once per fetched flow; edits after that are the person's (so `history` is not a dependency).
  }, [loadedFlow]);

  const typeMap = useMemo(() => new Map((types.data ?? []).map((t) => [t.type, t])), [types.data]);
  const problems = useMemo(() => {
    const byNode = new Map<string, string[]>();
    for (const { node, problem } of problemList) byNode.set(node, [...(byNode.get(node) ?? []), problem]);
    return byNode;
  }, [problemList]);
  const flowProblems = problemList.filter((p) => !doc?.nodes.some((n) => n.id === p.node));

  // Positions: stored ones, and for nodes without one (an imported flow) an automatic layout.
  const needsAuto = doc ? doc.nodes.some((n) => !doc.layout?.[n.id]) : false;
  const structure = doc && needsAuto ? JSON.stringify(doc.nodes.map((n) => [n.id, n.connections, contentRoutes(n)])) : "";
  // Recomputed when the graph's shape changes, not on every edit of a node's text.
  const automatic = useMemo(() => (doc && needsAuto ? autoLayout(doc) : {}), [structure]);
  const positions = useMemo<FlowLayout>(() => ({ ...automatic, ...doc?.layout }), [automatic, doc?.layout]);

  const selectedNode = selected.length === 1 ? doc?.nodes.find((n) => n.id === selected[0]) : undefined;
  const variables = useMemo(() => (doc ? variablesInScope(doc) : []), [doc]);

  const add = useCallback((nodeType: NodeTypeInfo) => {
    if (!doc) return;
    const id = uniqueId(doc, nodeType.type);
    // Below the selected node, else below the lowest one: a new node never hides another.
    const lowest = doc.nodes.map((n) => positions[n.id]).filter((p) => p !== undefined).sort((a, b) => b.y - a.y)[0];
    const anchor = (selected.length === 1 ? positions[selected[0]!] : undefined) ?? lowest;
    const at = anchor ? { x: anchor.x, y: anchor.y + NODE_HEIGHT + 60 } : { x: 0, y: 0 };
    const view = instance.current;
    if (view) requestAnimationFrame(() => void view.setCenter(at.x + NODE_WIDTH / 2, at.y + NODE_HEIGHT / 2, { zoom: view.getZoom(), duration: 0 }));
    const content = (defaultFor(nodeType.contentSchema, nodeType.contentSchema) ?? {}) as Record<string, unknown>;
    apply({ label: `Add ${nodeType.type}`, run: (d) => addNode(d, { id, type: nodeType.type, content, connections: {} }, at, positions) });
    setSelected([id]);
    setPanel("node");
    setNotice(`Added ${nodeType.type} node ${id}.`);
  }, [doc, selected, positions, apply]);

  const remove = useCallback((nodeIds: string[], connections: { source: string; name: string }[] = []) => {
    if (nodeIds.length === 0 && connections.length === 0) return;
    apply({ label: "Delete", run: (d) => removeElements(d, nodeIds, connections) });
    setSelected((current) => current.filter((id) => !nodeIds.includes(id)));
  }, [apply]);

  const copy = useCallback(() => {
    if (!doc || selected.length === 0) return;
    clipboard = { nodes: doc.nodes.filter((n) => selected.includes(n.id)).map((n) => structuredClone(n)), positions: Object.fromEntries(selected.map((id) => [id, positions[id]!])) };
    setNotice(`Copied ${selected.length} node${selected.length === 1 ? "" : "s"}.`);
  }, [doc, selected, positions]);

  const paste = useCallback(() => {
    if (!doc || !clipboard) return;
    const { nodes, positions: from } = clipboard;
    apply({ label: "Paste", run: (d) => pasteNodes(d, nodes, from, positions).doc });
    // Ids are chosen from the document alone, so the same call names the pasted nodes.
    setSelected(pasteNodes(doc, nodes, from, positions).ids);
    setNotice(`Pasted ${nodes.length} node${nodes.length === 1 ? "" : "s"}.`);
  }, [doc, positions, apply]);

  const tidy = useCallback(() => {
    if (!doc) return;
    apply({ label: "Tidy up", run: (d) => setLayout(d, autoLayout(d)) });
    requestAnimationFrame(() => instance.current?.fitView({ padding: 0.2, maxZoom: 1 }));
  }, [doc, apply]);

  // Shortcuts work wherever focus is on the page (after a node is deleted, focus is on the body),
  // except while typing in a field or inside a dialog.
  const shortcuts = useRef<(event: globalThis.KeyboardEvent) => void>(() => undefined);
  shortcuts.current = (event) => {
    const target = event.target as HTMLElement | null;
    if (target?.closest?.("input, textarea, select, [contenteditable=true], dialog")) return;
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === "z" && !event.shiftKey) { event.preventDefault(); history.undo(); }
    else if (mod && (key === "y" || (key === "z" && event.shiftKey))) { event.preventDefault(); history.redo(); }
    else if (mod && key === "c") { event.preventDefault(); copy(); }
    else if (mod && key === "v") { event.preventDefault(); paste(); }
    else if (mod && key === "a" && doc) { event.preventDefault(); setSelected(doc.nodes.map((n) => n.id)); }
  };
  useEffect(() => {
    const listener = (event: globalThis.KeyboardEvent) => shortcuts.current(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const publish = useMutation({
    mutationFn: async () => {
      await autosave.flush();
      return botsApi.publish(botId);
    },
    onSuccess: ({ version }) => {
      setProblemList([]);
      setNotice(`Published version ${version}.`);
      void queryClient.invalidateQueries({ queryKey: botKeys.all, refetchType: "none" });
      void queryClient.invalidateQueries({ queryKey: botKeys.versions(botId) });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "FLOW_INVALID") {
        setProblemList(error.details);
        setNotice(`Not published: fix ${error.details.length} problem${error.details.length === 1 ? "" : "s"} first.`);
      } else setNotice(describeError(error));
    },
  });

  async function importFile(file: File) {
    try {
      const imported = parseFlowJson(await file.text());
      apply({ label: "Import", run: () => imported });
      setSelected([]);
      setNotice(`Imported ${file.name}: ${imported.nodes.length} nodes.`);
      requestAnimationFrame(() => requestAnimationFrame(() => instance.current?.fitView({ padding: 0.2, maxZoom: 1 })));
    } catch (error) {
      setNotice(describeError(error));
    }
  }

  function exportFlow() {
    if (!doc) return;
    const url = URL.createObjectURL(new Blob([flowJson(doc)], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `${(loaded.data?.bot.name ?? "flow").replace(/[^\w.-]+/g, "-")}.flow.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  const name = loaded.data?.bot.name ?? "Flow";
  const saveText = {
    saved: "All changes saved", pending: "Unsaved changes…", saving: "Saving…",
    failed: `Not saved: ${autosave.state.kind === "failed" ? autosave.state.message : ""}`,
    conflict: "Not saved: someone else changed this draft",
  }[autosave.state.kind];

  const restoreKept = () => {
    if (!kept) return;
    const restored = kept.doc;
    apply({ label: "Restore unsaved changes", run: () => restored });
    setKept(undefined);
    setNotice("Your unsaved changes are back and being saved.");
  };
  const discardKept = () => {
    unsavedDraft.drop(botId);
    setKept(undefined);
  };
  const loadTheirs = () => {
    unsavedDraft.drop(botId);
    void queryClient.invalidateQueries({ queryKey: botKeys.flow(botId) });
    setNotice("Loaded the latest saved draft.");
  };

  return (
    <Layout title={name} wide actions={<>
      <Link to={`/bots/${botId}/knowledge`} className="button">Knowledge</Link>
      <Link to={`/bots/${botId}/intents`} className="button">Intents</Link>
      <Link to={`/bots/${botId}/analytics`} className="button">Analytics</Link>
      <Link to={`/bots/${botId}/channels`} className="button">Channels</Link>
      <Link to={`/bots/${botId}/versions`} className="button">Versions</Link>
      <Link to={`/bots/${botId}/settings`} className="button">Settings</Link>
      <button type="button" className="button primary" onClick={() => publish.mutate()} disabled={!doc || publish.isPending}>{publish.isPending ? "Publishing…" : "Publish"}</button>
    </>}>
      {loaded.isError && <p role="alert" className="alert">{describeError(loaded.error)}</p>}
      {kept && (
        <div role="alert" className="alert choice">
          <p>
            Changes you made on {new Date(kept.at).toLocaleString()} did not reach the platform (your sign-in may have expired). They are kept in this browser.
            {kept.baseRevision !== undefined && kept.baseRevision !== loaded.data?.bot.draftRevision && " Someone has saved the draft since: restoring yours replaces their changes."}
          </p>
          <div className="choice-actions">
            <button type="button" className="button primary small" onClick={restoreKept}>Restore my changes</button>
            <button type="button" className="button small" onClick={discardKept}>Discard them</button>
          </div>
        </div>
      )}
      {autosave.state.kind === "conflict" && (
        <div role="alert" className="alert choice">
          <p>Someone else saved this draft while you were editing, so your latest changes were not saved. Keep yours (it replaces theirs), or load theirs (yours are dropped).</p>
          <div className="choice-actions">
            <button type="button" className="button small" onClick={loadTheirs}>Load their version</button>
            <button type="button" className="button primary small" onClick={() => void autosave.keepMine().then(() => setNotice("Your version is saved."), () => undefined)}>Keep my version</button>
          </div>
        </div>
      )}
      {types.isError && <p role="alert" className="alert">{describeError(types.error)}</p>}
      {!doc && !loaded.isError && <p role="status">Loading the flow…</p>}
      {doc && (
        <div className="editor">
          <div className="toolbar" role="toolbar" aria-label="Flow actions">
            <button type="button" className="button small" onClick={history.undo} disabled={!history.canUndo} aria-keyshortcuts="Control+Z">Undo</button>
            <button type="button" className="button small" onClick={history.redo} disabled={!history.canRedo} aria-keyshortcuts="Control+Shift+Z">Redo</button>
            <button type="button" className="button small" onClick={copy} disabled={selected.length === 0} aria-keyshortcuts="Control+C">Copy</button>
            <button type="button" className="button small" onClick={paste} aria-keyshortcuts="Control+V">Paste</button>
            <button type="button" className="button small" onClick={() => remove(selected)} disabled={selected.length === 0} aria-keyshortcuts="Delete">Delete</button>
            <button type="button" className="button small" onClick={tidy}>Tidy up</button>
            <button type="button" className="button small" onClick={() => fileInput.current?.click()}>Import</button>
            <input ref={fileInput} type="file" accept="application/json,.json" hidden aria-label="Flow JSON file to import" onChange={(event) => { const file = event.target.files?.[0]; event.target.value = ""; if (file) void importFile(file); }} />
            <button type="button" className="button small" onClick={exportFlow}>Export</button>
            <span className={`save-state ${autosave.state.kind}`} role="status" aria-live="polite">{saveText}</span>
          </div>
          <p className="notice" role="status" aria-live="polite">{notice}</p>
          {flowProblems.length > 0 && (
            <div className="alert" role="group" aria-label="Problems with the flow">
              <ul>{flowProblems.map((p) => <li key={`${p.node}:${p.problem}`}>{p.node === "(flow)" ? p.problem : `${p.node}: ${p.problem}`}</li>)}</ul>
            </div>
          )}
          <div className="editor-body">
            <Palette nodeTypes={types.data ?? []} onAdd={add} />
            <div className="canvas-wrap">
              <Canvas
                doc={doc} positions={positions} types={typeMap} problems={problems} activeNode={activeNode} dropOff={dropOffs} selected={selected}
                onSelect={setSelected}
                onMove={(moves) => apply({ label: "Move", run: (d) => moveNodes(d, moves, positions) })}
                onConnect={(source, connection, target) => apply({ label: "Connect", run: (d) => connect(d, source, connection, target) })}
                onDelete={remove}
                onReady={(ready) => { instance.current = ready; }}
              />
            </div>
            <aside className="side-panel" aria-label="Details">
              <div role="tablist" aria-label="Panel" className="tabs">
                <button type="button" role="tab" id="tab-node" aria-selected={panel === "node"} aria-controls="panel-node" onClick={() => setPanel("node")}>Node</button>
                <button type="button" role="tab" id="tab-test" aria-selected={panel === "test"} aria-controls="panel-test" onClick={() => setPanel("test")}>Test</button>
              </div>
              <div role="tabpanel" id="panel-node" aria-labelledby="tab-node" hidden={panel !== "node"}>
                {selectedNode ? (
                  <NodeForm
                    doc={doc} node={selectedNode} nodeType={typeMap.get(selectedNode.type)} problems={problems.get(selectedNode.id) ?? []} variables={variables}
                    onContent={(content) => apply({ label: "Edit", coalesce: `content:${selectedNode.id}`, run: (d) => setContent(d, selectedNode.id, content) })}
                    onConnect={(connection, target) => apply({ label: "Connect", run: (d) => (target ? connect(d, selectedNode.id, connection, target) : disconnect(d, selectedNode.id, connection)) })}
                    onStart={() => apply({ label: "Set start", run: (d) => setStart(d, selectedNode.id) })}
                    onDelete={() => remove([selectedNode.id])}
                  />
                ) : (
                  <p className="muted panel-hint">{selected.length > 1 ? `${selected.length} nodes selected.` : "Select a node to edit it, or add one from the palette."}</p>
                )}
              </div>
              <div role="tabpanel" id="panel-test" aria-labelledby="tab-test" hidden={panel !== "test"}>
                <TestPanel botId={botId} beforeStart={autosave.flush} onActiveNode={setActiveNode} onProblems={setProblemList} />
              </div>
            </aside>
          </div>
        </div>
      )}
    </Layout>
  );
}

export type { FlowDocument };
