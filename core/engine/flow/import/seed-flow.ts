/**
 * The seed's flow JSON (the CMS + chatbot seed document) → our flow format. The platform accepts
 * it wherever a flow is saved (bot create, draft save, validate, import with `format: "seed"`):
 * `normaliseFlow` turns a seed flow into ours before validation, so it runs verbatim, and what is
 * stored and exported is ours. Our own flows pass through unchanged.
 *
 * A seed flow is `{ nodes: [...] }` with an optional `start` (else the first node); see
 * seed-nodes.ts for each node type and seed-scopes.ts for where its variables live.
 */
import { z } from "zod";
import { ImportInvalidError, problemsOf } from "./import-error.ts";
import { choiceValues, seedConnections, seedNode, type OurNode, type SeedNode } from "./seed-nodes.ts";
import { hasSeedPlaceholder, type SeedHome } from "./seed-scopes.ts";

export const seedNodeSchema = z.looseObject({
  id: z.string().min(1, "a node needs an id"),
  type: z.string().min(1, "a node needs a type"),
  content: z.record(z.string(), z.unknown()).optional(),
  connections: z.record(z.string(), z.string()).optional(),
});

export const seedFlowSchema = z.looseObject({
  start: z.string().min(1).optional(),
  start_node: z.string().min(1).optional(),
  nodes: z.array(seedNodeSchema).min(1, "a flow needs at least one node").max(2000),
});
export type SeedFlow = z.infer<typeof seedFlowSchema>;

export type OurFlow = { start: string; nodes: OurNode[] };

function convert(flow: SeedFlow, home: SeedHome): OurFlow {
  const start = flow.start ?? flow.start_node ?? flow.nodes[0]!.id;
  const subflow = (inner: unknown): unknown => {
    const parsed = seedFlowSchema.safeParse(inner);
    return parsed.success ? convert(parsed.data, "local") : inner;
  };
  return { start, nodes: flow.nodes.map((node) => seedNode(node as SeedNode, home, subflow)) };
}

/** For `POST /v1/admin/bots/import` with `format: "seed"`: 422 IMPORT_INVALID naming the path of what is wrong. */
export function seedFlowToFlow(input: unknown): OurFlow {
  const parsed = seedFlowSchema.safeParse(input);
  if (!parsed.success) throw new ImportInvalidError("seed", problemsOf(parsed.error));
  return convert(parsed.data, "session");
}

const ourScopes = /^(user|context|session|temp|input|local|output)\.[^.]/;

/** Shapes only the seed writes (our format never has them), so a flow in our format is never touched. */
function seedMarks(node: Record<string, unknown>): boolean {
  const content = (node.content ?? {}) as Record<string, unknown>;
  const connections = (node.connections ?? {}) as Record<string, unknown>;
  if (typeof node.type === "string" && Object.keys(seedConnections(node.type, connections as Record<string, string>, choiceValues(content))).join() !== Object.keys(connections).join()) return true;
  const items = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((v) => v !== null && typeof v === "object") : []);
  if (items(content.messages).some((m) => typeof m.content === "string" || m.typing_delay !== undefined)) return true;
  if (items(content.actions).some((a) => a.op === undefined && typeof a.type === "string")) return true;
  if (typeof content.variable === "string" && !ourScopes.test(content.variable)) return true;
  if (node.type === "composite" && (!Array.isArray(content.inputs ?? []) || !Array.isArray(content.outputs ?? []) || content.flow === undefined)) return true;
  if (node.type === "webhook" && (content.retry !== undefined || content.timeout !== undefined || content.circuit_breaker !== undefined || (content.response_mapping !== undefined && !Array.isArray(content.response_mapping)))) return true;
  if (node.type === "condition" && JSON.stringify(content.conditions ?? []).match(/"var":[^{}]*,"(eq|ne|neq|gt|gte|lt|lte|equals|not_equals|in|contains|exists)":/)) return true;
  if (node.type !== "condition" && hasSeedPlaceholder(JSON.stringify(content))) return true;
  return false;
}

export function isSeedFlow(flow: unknown): boolean {
  if (flow === null || typeof flow !== "object") return false;
  const { start, nodes } = flow as { start?: unknown; nodes?: unknown };
  if (!Array.isArray(nodes) || nodes.length === 0) return false;
  if (!nodes.every((n) => n !== null && typeof n === "object" && typeof (n as { id?: unknown }).id === "string" && typeof (n as { type?: unknown }).type === "string")) return false;
  return start === undefined || nodes.some((n) => seedMarks(n as Record<string, unknown>));
}

/** Wherever a flow is saved: a seed flow becomes ours; anything else is returned as it is. */
export function normaliseFlow(flow: unknown): unknown {
  if (!isSeedFlow(flow)) return flow;
  const parsed = seedFlowSchema.safeParse(flow);
  return parsed.success ? convert(parsed.data, "session") : flow;
}
