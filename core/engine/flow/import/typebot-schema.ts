/**
 * The part of a Typebot export (its public schema, versions 6 and 6.1) the import reads: groups of
 * blocks, edges between them, variables and the start event. Blocks are kept loose here (each
 * block type's options are read where it is converted), so a block type we do not know is listed
 * as unsupported rather than refusing the whole file.
 */
import { z } from "zod";
import { ImportInvalidError, problemsOf, type ImportProblem } from "./import-error.ts";

export const TYPEBOT_VERSIONS = ["6", "6.1"] as const;

const id = z.string().min(1);

export const typebotItemSchema = z.looseObject({
  id,
  outgoingEdgeId: z.string().optional(),
  content: z.unknown().optional(),
});

export const typebotBlockSchema = z.looseObject({
  id,
  type: z.string().min(1),
  outgoingEdgeId: z.string().optional(),
  content: z.unknown().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  items: z.array(typebotItemSchema).optional(),
});

export const typebotGroupSchema = z.looseObject({
  id,
  title: z.string().optional(),
  blocks: z.array(typebotBlockSchema),
});

export const typebotEdgeSchema = z.looseObject({
  id,
  from: z.union([z.looseObject({ blockId: id, itemId: z.string().optional() }), z.looseObject({ eventId: id })]),
  to: z.looseObject({ groupId: id, blockId: z.string().optional() }),
});

export const typebotVariableSchema = z.looseObject({
  id,
  name: z.string().min(1),
  value: z.unknown().optional(),
});

export const typebotEventSchema = z.looseObject({
  id,
  type: z.string().min(1),
  outgoingEdgeId: z.string().optional(),
});

export const typebotSchema = z.looseObject({
  version: z.enum(TYPEBOT_VERSIONS),
  name: z.string().optional(),
  events: z.array(typebotEventSchema).min(1, "a version 6 export has a start event"),
  groups: z.array(typebotGroupSchema).max(2000),
  edges: z.array(typebotEdgeSchema),
  variables: z.array(typebotVariableSchema),
});

export type Typebot = z.infer<typeof typebotSchema>;
export type TypebotBlock = z.infer<typeof typebotBlockSchema>;
export type TypebotGroup = z.infer<typeof typebotGroupSchema>;

/** Parses an export; a file that is not one, or from a version we do not read, gets 422 saying what was wrong. */
export function parseTypebot(input: unknown): Typebot {
  const problems: ImportProblem[] = [];
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ImportInvalidError("Typebot", [{ path: "", problem: "a Typebot export is a JSON object with version, groups, edges, variables and events" }]);
  }
  const { version, groups, edges } = input as Record<string, unknown>;
  if (version === undefined && groups === undefined && edges === undefined) {
    problems.push({ path: "", problem: "this is not a Typebot export: it has no version, groups or edges" });
  } else if (typeof version !== "string" && typeof version !== "number") {
    problems.push({ path: "version", problem: "a Typebot export names its version (6 or 6.1)" });
  } else if (!(TYPEBOT_VERSIONS as readonly string[]).includes(String(version))) {
    problems.push({ path: "version", problem: `Typebot version "${version}" is not supported (supported: ${TYPEBOT_VERSIONS.join(", ")}); open and re-export the bot in a current Typebot to upgrade it` });
  }
  if (problems.length > 0) throw new ImportInvalidError("Typebot", problems);
  const parsed = typebotSchema.safeParse({ ...(input as object), version: String(version) });
  if (!parsed.success) throw new ImportInvalidError("Typebot", problemsOf(parsed.error));
  return parsed.data;
}
