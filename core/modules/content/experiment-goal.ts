/**
 * Whether an experiment's goal can still be reached: a node goal names a node of the bot's latest
 * published flow. A node deleted in a newer version is reported with the version that dropped it.
 */
import { PlatformError, ErrorKind } from "../../sdk/platform-error.ts";
import { ContentErrorCode } from "./content-errors.ts";
import type { Goal } from "./content-schemas.ts";

export type FlowReader = {
  /** A published version's flow (the latest when `version` is omitted). */
  flow(version?: number): Promise<{ version: number; flow: unknown; name: string }>;
};

export type GoalProblem = { code: string; message: string; data: Record<string, unknown> };

function nodeIdsOf(flow: unknown): Set<string> {
  const nodes = (flow as { nodes?: unknown } | null)?.nodes;
  return new Set(Array.isArray(nodes) ? nodes.map((n) => (n as { id?: unknown }).id).filter((id): id is string => typeof id === "string") : []);
}

/** How far back a deleted goal node is looked for, so a bot with thousands of versions costs a bounded read. */
const VERSIONS_SEARCHED = 50;

export async function goalProblem(goal: Goal, flows: FlowReader): Promise<GoalProblem | null> {
  if (goal.kind !== "node") return null;
  const latest = await flows.flow();
  if (nodeIdsOf(latest.flow).has(goal.nodeId)) return null;
  for (let version = latest.version - 1; version >= 1 && version >= latest.version - VERSIONS_SEARCHED; version--) {
    if (!nodeIdsOf((await flows.flow(version)).flow).has(goal.nodeId)) continue;
    return {
      code: ContentErrorCode.goalNodeDeleted,
      message: `The goal node "${goal.nodeId}" was deleted from bot "${latest.name}" in version ${version + 1} (it was last in version ${version}; the latest published version is ${latest.version}), so no user can reach it`,
      data: { nodeId: goal.nodeId, deletedInVersion: version + 1, lastVersionWithNode: version, latestVersion: latest.version },
    };
  }
  return {
    code: ContentErrorCode.goalNodeUnknown,
    message: `Bot "${latest.name}" has no node "${goal.nodeId}" in its published flow (version ${latest.version})`,
    data: { nodeId: goal.nodeId, latestVersion: latest.version },
  };
}

export function goalError(problem: GoalProblem): PlatformError {
  return new PlatformError(problem.code, problem.message, { status: 422, kind: ErrorKind.user, data: { details: problem.data } });
}
