/**
 * A bot created without a flow is an assistant: its flow is one agent node that waits for the user
 * each turn and answers with the bot's prompt, knowledge and tools (its `config.ai`).
 */
import type { BotConfig } from "./bot-config.ts";

export const ASSISTANT_NODE_ID = "assistant";

export function assistantFlow(config: BotConfig | undefined) {
  const greeting = config?.ai?.greeting ?? config?.greeting;
  return { start: ASSISTANT_NODE_ID, nodes: [{ id: ASSISTANT_NODE_ID, type: "agent", content: greeting ? { greeting } : {} }] };
}

/** True when a flow has nodes that call a model, so a turn on it needs AI quota left. */
export function flowUsesAi(flow: unknown): boolean {
  const nodes = (flow as { nodes?: { type?: unknown }[] } | null)?.nodes;
  return Array.isArray(nodes) && nodes.some((n) => n.type === "agent" || n.type === "llm");
}
