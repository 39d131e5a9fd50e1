/**
 * A flow made ready to run: nodes by id, each node's content parsed by its type's schema (so
 * defaults apply) and its connections merged with the ones named in its content. Compiled once
 * per flow object (the caller keeps flow objects cached) and once per composite's sub-flow.
 */
import type { NodeTypeRegistry, RegisteredNodeType } from "./node-type-registry.ts";
import { flowSchema, type FlowNode } from "./flow-schema.ts";
import { FlowInvalidError } from "./flow-validator.ts";
import { InternalError, PlatformErrorCode } from "../../sdk/platform-error.ts";

export type CompiledNode = {
  id: string;
  type: string;
  registered: RegisteredNodeType;
  content: unknown;
  connections: Readonly<Record<string, string>>;
  /** The node's sub-flow (composites), compiled on first use. */
  subflow?: CompiledFlow;
};

export type CompiledFlow = { start: string; nodes: ReadonlyMap<string, FlowNode>; compiled: Map<string, CompiledNode> };

const cache = new WeakMap<object, CompiledFlow>();

export function compileFlow(flow: unknown): CompiledFlow {
  if (typeof flow === "object" && flow !== null) {
    const hit = cache.get(flow);
    if (hit) return hit;
  }
  const parsed = flowSchema.safeParse(flow);
  if (!parsed.success) throw new FlowInvalidError(parsed.error.issues.map((i) => ({ node: "(flow)", problem: `${i.path.join(".")}: ${i.message}` })));
  const compiled: CompiledFlow = { start: parsed.data.start, nodes: new Map(parsed.data.nodes.map((n) => [n.id, n])), compiled: new Map() };
  if (typeof flow === "object" && flow !== null) cache.set(flow, compiled);
  return compiled;
}

/**
 * The node, ready to run. Node types are looked up at run time, so a plugin replaced since the
 * last turn is used from the next turn on.
 */
export function nodeOf(flow: CompiledFlow, id: string, registry: NodeTypeRegistry): CompiledNode {
  const node = flow.nodes.get(id);
  if (!node) throw new InternalError(PlatformErrorCode.internal, `The flow has no node "${id}"`, { data: { node: id } });
  const registered = registry.get(node.type);
  if (!registered) throw new InternalError(PlatformErrorCode.internal, `Node type "${node.type}" is not loaded`, { data: { node: id, type: node.type } });
  const hit = flow.compiled.get(id);
  if (hit && hit.registered === registered) return hit;
  const content = registered.definition.content.safeParse(node.content);
  if (!content.success) throw new FlowInvalidError(content.error.issues.map((i) => ({ node: id, problem: `content.${i.path.join(".")}: ${i.message}` })));
  const connections = { ...registered.implementation.routes?.(content.data), ...node.connections };
  const entry: CompiledNode = { id, type: node.type, registered, content: content.data, connections };
  flow.compiled.set(id, entry);
  return entry;
}

export function subflowOf(node: CompiledNode): CompiledFlow {
  if (node.subflow) return node.subflow;
  const raw = node.registered.implementation.subflow?.(node.content);
  if (raw === undefined) throw new InternalError(PlatformErrorCode.internal, `Node "${node.id}" (${node.type}) asked to call a sub-flow it does not have`, { data: { node: node.id } });
  node.subflow = compileFlow(raw);
  return node.subflow;
}
