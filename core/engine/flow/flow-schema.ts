/**
 * The shape of a flow, as stored and published: `{ start, nodes: [{ id, type, content, connections }] }`.
 * This schema checks only the graph's outline; each node's `content` is checked against its node
 * type's own schema by `validateFlow`, since node types come from plugins.
 */
import { z } from "zod";

/** Node ids are referenced by connections and shown in problems, so keep them readable. */
export const nodeIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "node ids are 1-100 letters, digits, _ . : -");

export const flowNodeSchema = z.object({
  id: nodeIdSchema,
  type: z.string().min(1),
  content: z.record(z.string(), z.unknown()).default({}),
  /** Connection name (`default`, `success`, `error`, a choice value) → target node id. */
  connections: z.record(z.string(), z.string()).default({}),
});

/**
 * Where the console drew each node: layout, not behaviour. Kept with drafts and versions so an
 * export round-trips, and ignored by the runtime.
 */
export const flowLayoutSchema = z.record(z.string(), z.object({ x: z.number().finite(), y: z.number().finite() }));

export const flowSchema = z.object({
  start: z.string().min(1),
  nodes: z.array(flowNodeSchema).min(1).max(2000),
  layout: flowLayoutSchema.optional(),
});

export type FlowNode = z.infer<typeof flowNodeSchema>;
export type Flow = z.infer<typeof flowSchema>;
/** What callers hand in before parsing (content and connections may be omitted). */
export type FlowInput = z.input<typeof flowSchema>;
