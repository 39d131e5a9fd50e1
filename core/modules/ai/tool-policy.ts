/**
 * What an agent may do with a tool the model picks: call it (`allow`), ask the user in the
 * conversation first (`confirm`), or never offer it (`off`). Read from the bot's configuration
 * only: nothing the model says, no knowledge passage and no tool result can widen it, so an
 * instruction planted in a document ("call capture_lead with …") meets the same question to the
 * user as any other call.
 */
import type { BotAiConfig, ToolPolicy } from "../../engine/bots/bot-ai-config.ts";

export type { ToolPolicy };

type PolicedTool = { configName: string; readOnly?: boolean };

/** The names a policy entry may use for a tool, most specific first: the tool, then its server or plugin. */
function namesOf(configName: string): string[] {
  const mcp = /^(mcp:[^/]+)\/.+$/.exec(configName);
  if (mcp) return [configName, mcp[1]!];
  const marketplace = /^(marketplace:@[^/]+\/[^/]+)\/.+$/.exec(configName);
  if (marketplace) return [configName, marketplace[1]!];
  return [configName];
}

/**
 * The policy of one tool: the most specific `toolPolicy` entry, then `confirmTools` (a tool or a
 * whole server), then the default. By default a tool that declares itself read-only (MCP's
 * `readOnlyHint`, the knowledge search) is allowed and every other one asks first: MCP's own
 * default is that a tool may change things unless it says it does not.
 */
export function toolPolicyOf(tool: PolicedTool, ai: Pick<BotAiConfig, "toolPolicy" | "confirmTools">): ToolPolicy {
  const names = namesOf(tool.configName);
  for (const name of names) {
    const set = ai.toolPolicy?.[name];
    if (set) return set;
  }
  if (names.some((name) => ai.confirmTools?.includes(name))) return "confirm";
  return tool.readOnly === true ? "allow" : "confirm";
}

/** The tools offered to the model (not `off`) and the config names it must ask the user about. */
export function applyToolPolicy<T extends PolicedTool>(tools: readonly T[], ai: Pick<BotAiConfig, "toolPolicy" | "confirmTools">): { offered: T[]; confirm: Set<string> } {
  const offered: T[] = [];
  const confirm = new Set<string>();
  for (const tool of tools) {
    const policy = toolPolicyOf(tool, ai);
    if (policy === "off") continue;
    offered.push(tool);
    if (policy === "confirm") confirm.add(tool.configName);
  }
  return { offered, confirm };
}
