/**
 * Checks a flow before it is published (and before a session starts on it) and returns every
 * problem at once as `{ node, problem }`, where `node` is the node's id (`composite/inner` inside a
 * composite's sub-flow) or `(flow)` for the graph as a whole:
 *
 * - the outline (`start`, `nodes`, ids) and each node's content against its type's schema;
 * - unknown node types, connection names a type does not have, connections to missing nodes;
 * - nodes unreachable from `start`;
 * - templates naming an unknown scope or malformed, variables written to an unknown scope;
 * - the node type's own checks (invalid JSON-Logic in a condition, a bad regular expression...);
 * - a cycle none of whose nodes waits for input (it would spin until the step limit every turn);
 * - a composite's sub-flow, recursively, in its own scopes (`input.*`, `local.*`, `output.*`).
 */
import { z } from "zod";
import { PlatformError } from "../../sdk/platform-error.ts";
import { flowSchema, type Flow, type FlowNode } from "./flow-schema.ts";
import type { NodeTypeRegistry, RegisteredNodeType } from "./node-type-registry.ts";
import { COMPOSITE_SCOPES, FLOW_SCOPES, templateReferences } from "../../sdk/template.ts";
import { FlowErrorCode } from "./flow-errors.ts";

export type FlowProblem = { node: string; problem: string };

/** 422 FLOW_INVALID with every problem in `data.details`. */
export class FlowInvalidError extends PlatformError {
  constructor(details: readonly FlowProblem[]) {
    const first = details[0];
    const summary = first ? `${first.node}: ${first.problem}` : "the flow is invalid";
    super(FlowErrorCode.flowInvalid, `The flow is invalid (${details.length} problem${details.length === 1 ? "" : "s"}; first: ${summary})`, { status: 422, data: { details: [...details] } });
    this.name = "FlowInvalidError";
  }
}

type Scope = { readable: readonly string[]; writable: readonly string[]; prefix: string };
const topScope: Scope = { readable: [...FLOW_SCOPES], writable: ["user", "session", "temp", "context"], prefix: "" };
const compositeScope = (prefix: string): Scope => ({ readable: [...COMPOSITE_SCOPES], writable: ["local", "output"], prefix });
const MAX_DEPTH = 5;

export function validateFlow(flow: unknown, registry: NodeTypeRegistry): FlowProblem[] {
  return validateGraph(flow, registry, topScope, 0);
}

/** Parses and validates; throws FlowInvalidError with every problem. */
export function assertValidFlow(flow: unknown, registry: NodeTypeRegistry): Flow {
  const problems = validateFlow(flow, registry);
  if (problems.length > 0) throw new FlowInvalidError(problems);
  return flowSchema.parse(flow);
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`)).join("").replace(/^\./, "");
}

function validateGraph(input: unknown, registry: NodeTypeRegistry, scope: Scope, depth: number): FlowProblem[] {
  const at = (id: string) => scope.prefix + id;
  const parsed = flowSchema.safeParse(input);
  if (!parsed.success) {
    const rawNodes = (input as { nodes?: unknown } | null)?.nodes;
    return parsed.error.issues.map((issue) => {
      const [first, index] = issue.path;
      const rawId = first === "nodes" && typeof index === "number" && Array.isArray(rawNodes) ? (rawNodes[index] as { id?: unknown })?.id : undefined;
      if (issue.path.length === 1 && first === "start") return { node: at("(flow)"), problem: "the flow has no start node" };
      return { node: at(typeof rawId === "string" ? rawId : "(flow)"), problem: `${issuePath(issue.path)}: ${issue.message}` };
    });
  }
  const flow = parsed.data;
  const problems: FlowProblem[] = [];
  const byId = new Map<string, FlowNode>();
  for (const node of flow.nodes) {
    if (byId.has(node.id)) problems.push({ node: at(node.id), problem: "another node has the same id" });
    byId.set(node.id, node);
  }
  if (!byId.has(flow.start)) problems.push({ node: at("(flow)"), problem: `start names "${flow.start}", which is not a node of this flow` });

  const edges = new Map<string, string[]>();
  const waits = new Set<string>();
  for (const node of flow.nodes) {
    const registered = registry.get(node.type);
    const targets = { ...node.connections };
    if (!registered) {
      problems.push({ node: at(node.id), problem: `unknown node type "${node.type}"` });
    } else {
      const content = registered.definition.content.safeParse(node.content);
      if (!content.success) {
        for (const issue of content.error.issues) problems.push({ node: at(node.id), problem: `content.${issuePath(issue.path)}: ${issue.message}`.replace(/\.:/, ":") });
      } else {
        Object.assign(targets, { ...registered.implementation.routes?.(content.data), ...node.connections });
        for (const problem of registered.implementation.validate?.(content.data, node) ?? []) problems.push({ node: at(node.id), problem });
        const sub = checkSubflow(node, registered, content.data, registry, scope, depth);
        problems.push(...sub.problems);
        if (registered.definition.waitsForInput || sub.waits) waits.add(node.id);
        checkReferences(content.data, sub.raw, scope, (problem) => problems.push({ node: at(node.id), problem }));
      }
      const allowed = registered.definition.connections;
      if (allowed !== "any") {
        for (const name of Object.keys(node.connections)) {
          if (!allowed.includes(name)) problems.push({ node: at(node.id), problem: `a ${node.type} node has no "${name}" connection (it has: ${allowed.join(", ") || "none"})` });
        }
      }
    }
    for (const [name, target] of Object.entries(targets)) {
      if (!byId.has(target)) problems.push({ node: at(node.id), problem: `connection "${name}" leads to "${target}", which is not a node of this flow` });
    }
    edges.set(node.id, [...new Set(Object.values(targets))].filter((t) => byId.has(t)));
  }

  if (byId.has(flow.start)) {
    const seen = new Set([flow.start]);
    const queue = [flow.start];
    while (queue.length > 0) for (const next of edges.get(queue.pop()!) ?? []) if (!seen.has(next)) { seen.add(next); queue.push(next); }
    for (const node of flow.nodes) if (!seen.has(node.id)) problems.push({ node: at(node.id), problem: "no path from the start node reaches it" });
  }

  for (const cycle of cyclesOf(flow.nodes.map((n) => n.id), edges)) {
    if (cycle.some((id) => waits.has(id))) continue;
    problems.push({ node: at(cycle[0]!), problem: `it is in a loop (nodes ${cycle.join(", ")}) where no node waits for input, so a turn would never end` });
  }
  return problems;
}

function checkSubflow(node: FlowNode, registered: RegisteredNodeType, content: unknown, registry: NodeTypeRegistry, scope: Scope, depth: number): { problems: FlowProblem[]; waits: boolean; raw: unknown } {
  const raw = registered.implementation.subflow?.(content);
  if (raw === undefined) return { problems: [], waits: false, raw };
  if (depth + 1 > MAX_DEPTH) return { problems: [{ node: scope.prefix + node.id, problem: `composites nest deeper than ${MAX_DEPTH} levels` }], waits: false, raw };
  const problems = validateGraph(raw, registry, compositeScope(`${scope.prefix}${node.id}/`), depth + 1);
  const parsed = flowSchema.safeParse(raw);
  const waits = parsed.success && parsed.data.nodes.some((n) => registry.get(n.type)?.definition.waitsForInput === true);
  return { problems, waits, raw };
}

/**
 * Walks the content (skipping a sub-flow, which has its own scopes) for templates, `variable`
 * fields and JSON-Logic `var` reads, and reports scopes this flow does not have.
 */
function checkReferences(content: unknown, skip: unknown, scope: Scope, report: (problem: string) => void): void {
  const visit = (value: unknown, key: string | undefined): void => {
    if (value === skip && skip !== undefined) return;
    if (typeof value === "string") {
      const refs = templateReferences(value);
      for (const name of refs.scopes) if (!scope.readable.includes(name)) report(`template "${value}" names unknown scope "${name}" (known: ${scope.readable.join(", ")})`);
      for (const raw of refs.malformed) report(`"${raw}" is not a placeholder like {{user.name}} or {{secret:name}}`);
      if (key === "variable") checkPath(value, scope.writable, "writes", report);
      if (key === "var" && value !== "") checkPath(value, scope.readable, "reads", report);
      return;
    }
    if (Array.isArray(value)) {
      if (key === "var" && typeof value[0] === "string" && value[0] !== "") checkPath(value[0], scope.readable, "reads", report);
      for (const item of value) visit(item, undefined);
      return;
    }
    if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(content, undefined);
}

function checkPath(path: string, scopes: readonly string[], verb: string, report: (problem: string) => void): void {
  const name = path.split(".")[0] ?? "";
  if (!path.includes(".") || !scopes.includes(name)) report(`it ${verb} variable "${path}", outside the scopes it may use (${scopes.join(", ")})`);
}

/** Strongly connected components that form a cycle (size > 1, or a node looping to itself). */
function cyclesOf(ids: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) result.push(ids.filter((id) => component.includes(id)));
    }
  };
  for (const id of ids) if (!index.has(id)) connect(id);
  return result;
}

export const flowProblemSchema = z.object({ node: z.string(), problem: z.string() });
