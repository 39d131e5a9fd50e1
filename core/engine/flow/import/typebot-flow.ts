/**
 * A Typebot export → our flow, plus what could not come along. Pure.
 *
 * - The start event's edge names the first block; each group's blocks run in order, joined by
 *   `default`; a block's outgoing edge (or the next block in its group) is where it goes on, and a
 *   group's last block without an edge ends the conversation, as in Typebot.
 * - Choice items with their own edge become a connection per choice value; condition items become
 *   condition branches (`then`), the block's way on becomes `else`.
 * - A jump goes straight to its target; a wait becomes the typing delay of the message after it;
 *   a text bubble right before an input becomes that question's text.
 * - Skipped blocks (unsupported) are listed with id, type and reason, and the flow goes from the
 *   block before to the block after. Blocks nobody can reach from the start are left out and noted.
 */
import { ImportInvalidError } from "./import-error.ts";
import { planBlock, type Plan } from "./typebot-blocks.ts";
import { parseTypebot, type TypebotBlock } from "./typebot-schema.ts";
import { typebotVariables, type VariableMapping } from "./typebot-variables.ts";

export type Unsupported = { block: string; type: string; reason: string };
export type ImportNote = { block: string; type: string; note: string };
export type FlowNodeOut = { id: string; type: string; content: Record<string, unknown>; connections: Record<string, string> };
export type TypebotImport = {
  name: string | undefined;
  flow: { start: string; nodes: FlowNodeOut[] };
  unsupported: Unsupported[];
  notes: ImportNote[];
  variables: VariableMapping[];
};

const END = "typebot_end";
const nodeId = (blockId: string) => blockId.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 100);
const foldable = (plan: Plan | undefined): plan is Plan & { kind: "node" } =>
  plan?.kind === "node" && plan.type === "message" && (plan.content.messages as { type: string; delay_ms?: number }[]).every((m) => m.type === "text" && m.delay_ms === undefined)
  && (plan.content.messages as unknown[]).length === 1;

export function typebotToFlow(input: unknown): TypebotImport {
  const typebot = parseTypebot(input);
  const vars = typebotVariables(typebot);
  const unsupported: Unsupported[] = [];
  const notes: ImportNote[] = [];

  const blocks = new Map<string, { block: TypebotBlock; groupId: string; index: number }>();
  const groups = new Map(typebot.groups.map((g) => [g.id, g]));
  for (const group of typebot.groups) group.blocks.forEach((block, index) => blocks.set(block.id, { block, groupId: group.id, index }));
  const edges = new Map(typebot.edges.map((e) => [e.id, e]));

  // Pass 1: what each block becomes.
  const plans = new Map<string, Plan>();
  for (const group of typebot.groups) {
    for (const [index, block] of group.blocks.entries()) {
      const plan = planBlock(block, vars, {
        unsupported: (reason) => unsupported.push({ block: block.id, type: block.type, reason }),
        note: (note) => notes.push({ block: block.id, type: block.type, note }),
      });
      plans.set(block.id, plan);
      const previous = group.blocks[index - 1];
      const before = previous ? plans.get(previous.id) : undefined;
      if (plan.kind === "node" && plan.type === "question" && previous && !previous.outgoingEdgeId && foldable(before)) {
        // The bubble asks the question: shown once, and again after a wrong answer.
        plan.content.question = (before.content.messages as { text: string }[])[0]!.text;
        plans.set(previous.id, { kind: "skip" });
      }
      if (before?.kind === "wait") {
        if (plan.kind === "node" && plan.type === "message") {
          const first = (plan.content.messages as Record<string, unknown>[])[0]!;
          first.delay_ms = Math.max(Number(first.delay_ms ?? 0), before.delayMs);
        } else {
          unsupported.push({ block: previous!.id, type: previous!.type, reason: "a wait is a typing delay before a message, and no message follows it; it is skipped" });
        }
        plans.set(previous!.id, { kind: "skip" });
      }
    }
    const last = group.blocks.at(-1);
    if (last && plans.get(last.id)?.kind === "wait") {
      unsupported.push({ block: last.id, type: last.type, reason: "a wait is a typing delay before a message, and no message follows it; it is skipped" });
      plans.set(last.id, { kind: "skip" });
    }
  }

  // Pass 2: where each block begins (its node, or where a skipped block leads) and goes on.
  const entries = new Map<string, string | undefined>();
  const resolving = new Set<string>();
  const edgeTarget = (edgeId: string | undefined): string | undefined => {
    const edge = edgeId ? edges.get(edgeId) : undefined;
    return edge ? groupTarget(edge.to.groupId, edge.to.blockId) : undefined;
  };
  const groupTarget = (groupId: string | undefined, blockId?: string): string | undefined => {
    if (blockId && blocks.has(blockId)) return entry(blockId);
    const first = groupId ? groups.get(groupId)?.blocks[0] : undefined;
    return first ? entry(first.id) : undefined;
  };
  const onwards = (blockId: string): string | undefined => {
    const { block, groupId, index } = blocks.get(blockId)!;
    if (block.outgoingEdgeId) return edgeTarget(block.outgoingEdgeId);
    const next = groups.get(groupId)!.blocks[index + 1];
    return next ? entry(next.id) : undefined;
  };
  function entry(blockId: string): string | undefined {
    if (entries.has(blockId)) return entries.get(blockId);
    if (resolving.has(blockId)) return undefined; // a loop of skipped blocks: nothing to run
    resolving.add(blockId);
    const plan = plans.get(blockId)!;
    const target = plan.kind === "node" ? nodeId(blockId)
      : plan.kind === "jump" ? groupTarget(plan.groupId, plan.blockId)
      : plan.kind === "skip" && plan.via !== undefined ? edgeTarget(plan.via)
      : onwards(blockId);
    resolving.delete(blockId);
    entries.set(blockId, target);
    return target;
  }

  const startEvent = typebot.events.find((e) => e.type === "start");
  for (const event of typebot.events) if (event !== startEvent) unsupported.push({ block: event.id, type: `${event.type} event`, reason: "only the start event is imported" });
  const start = startEvent ? edgeTarget(startEvent.outgoingEdgeId) : undefined;
  if (!start) throw new ImportInvalidError("Typebot", [{ path: `events[${Math.max(typebot.events.indexOf(startEvent!), 0)}].outgoingEdgeId`, problem: "the start event leads to no block that can run" }]);

  let needsEnd = false;
  const orEnd = (target: string | undefined): string => { if (target === undefined) { needsEnd = true; return END; } return target; };
  const nodes: FlowNodeOut[] = [];
  for (const [blockId, plan] of plans) {
    if (plan.kind !== "node") continue;
    const next = onwards(blockId);
    const connections: Record<string, string> = {};
    const content = structuredClone(plan.content);
    if (plan.wiring.kind === "call") { connections.success = orEnd(next); connections.error = orEnd(next); }
    else if (next !== undefined && plan.wiring.kind !== "condition") connections.default = next;
    if (plan.wiring.kind === "choice") {
      for (const item of plan.wiring.items) {
        const target = edgeTarget(item.edgeId);
        if (target !== undefined && !["default", "error"].includes(item.value)) connections[item.value] = target;
      }
    }
    if (plan.wiring.kind === "condition") {
      const { edgeIds } = plan.wiring;
      content.conditions = (content.conditions as Record<string, unknown>[]).map((c, i) => ({ ...c, then: orEnd(edgeTarget(edgeIds[i]) ?? next) }));
      content.else = orEnd(next);
    }
    nodes.push({ id: nodeId(blockId), type: plan.type, content, connections });
  }
  if (needsEnd) nodes.push({ id: END, type: "end", content: {}, connections: {} });

  // Keep what the start reaches; Typebot lets groups lie around unconnected.
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const reached = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    const node = byId.get(queue.pop()!);
    if (!node) continue;
    const targets = [...Object.values(node.connections), ...((node.content.conditions as { then: string }[] | undefined) ?? []).map((c) => c.then), ...(typeof node.content.else === "string" ? [node.content.else] : [])];
    for (const target of targets) if (!reached.has(target)) { reached.add(target); queue.push(target); }
  }
  for (const node of nodes) {
    if (reached.has(node.id) || node.id === END) continue;
    const block = blocks.get([...blocks.keys()].find((id) => nodeId(id) === node.id)!)!.block;
    notes.push({ block: block.id, type: block.type, note: "no path from the start reaches it; left out" });
  }
  return {
    name: typebot.name,
    flow: { start, nodes: nodes.filter((n) => reached.has(n.id)) },
    unsupported,
    notes,
    variables: vars.table,
  };
}
