/**
 * `POST /v1/admin/bots/import`: a flow written elsewhere → ours, with what did not come along.
 * Formats: `typebot` (an export of Typebot 6 / 6.1) and `seed` (the seed's flow JSON).
 */
import { z } from "zod";
import { seedFlowToFlow } from "./seed-flow.ts";
import { typebotToFlow, type ImportNote, type Unsupported } from "./typebot-flow.ts";
import type { VariableMapping } from "./typebot-variables.ts";

export const IMPORT_FORMATS = ["typebot", "seed"] as const;
export const importFormatSchema = z.enum(IMPORT_FORMATS);
export type ImportFormat = z.infer<typeof importFormatSchema>;

export type ImportedFlow = {
  name: string | undefined;
  flow: unknown;
  unsupported: Unsupported[];
  notes: ImportNote[];
  variables: VariableMapping[];
};

export function importFlow(format: ImportFormat, source: unknown): ImportedFlow {
  if (format === "typebot") return typebotToFlow(source);
  return { name: undefined, flow: seedFlowToFlow(source), unsupported: [], notes: [], variables: [] };
}
