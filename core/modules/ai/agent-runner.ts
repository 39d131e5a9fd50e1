/**
 * The agent loop: the model answers or asks for tools; tool results go back to it; until it
 * answers or the step limit is reached (then it is asked once more, without tools, to answer with
 * what it has). A tool the bot marks for confirmation is not called: the loop stops with the call
 * pending, the user is asked, and the next turn runs it (yes) or tells the model it was declined.
 */
import type { LlmMessage, LlmPassage, LlmToolCall } from "../../sdk/llm-provider.ts";
import type { AiPendingToolCall } from "../../sdk/ai-contract.ts";
import type { AgentTool } from "./agent-tools.ts";
import type { RoutedResponse } from "./llm-router.ts";
import { ToolOutcome } from "./tool-call-log.ts";

export type PendingToolCall = AiPendingToolCall;

export type AgentOutcome = {
  text: string;
  steps: number;
  toolCalls: number;
  pending?: PendingToolCall;
  /** The model was still asking for tools when the step limit came. */
  stepLimitReached?: boolean;
};

/** What the user reads when the agent ran out of steps without an answer. */
export const STEP_LIMIT_REPLY = "Sorry, I could not finish that just now. Could you put it another way, or ask me something else?";

export type AgentRun = {
  messages: LlmMessage[];
  tools: readonly AgentTool[];
  knowledge: readonly LlmPassage[];
  maxSteps: number;
  confirm: ReadonlySet<string>;
  chat: (messages: LlmMessage[], tools: readonly AgentTool[], knowledge: readonly LlmPassage[]) => Promise<RoutedResponse>;
  recordDenied?: (configName: string, inputBytes: number, outcome: typeof ToolOutcome.denied | typeof ToolOutcome.pending) => Promise<void>;
};

export async function runToolCall(tool: AgentTool | undefined, call: LlmToolCall): Promise<LlmMessage> {
  const result = tool ? await tool.run(call.arguments) : { ok: false, text: `There is no tool named ${call.name}.` };
  return { role: "tool", toolCallId: call.id, name: call.name, content: result.ok ? result.text : `Error: ${result.text}` };
}

export async function runAgent(run: AgentRun): Promise<AgentOutcome> {
  const messages = [...run.messages];
  let toolCalls = 0;
  for (let step = 1; step <= run.maxSteps; step++) {
    const response = await run.chat(messages, run.tools, run.knowledge);
    if (response.toolCalls.length === 0) return { text: response.text, steps: step, toolCalls };
    messages.push({ role: "assistant", content: response.text, toolCalls: response.toolCalls });
    for (const [i, call] of response.toolCalls.entries()) {
      const tool = run.tools.find((t) => t.name === call.name);
      if (tool && run.confirm.has(tool.configName)) {
        await run.recordDenied?.(tool.configName, Buffer.byteLength(JSON.stringify(call.arguments)), ToolOutcome.pending);
        // Calls the model asked for before this one already ran; those after it are dropped (it can ask again).
        for (const skipped of response.toolCalls.slice(i + 1)) messages.push({ role: "tool", toolCallId: skipped.id, name: skipped.name, content: "Not run: waiting for the user's confirmation of an earlier call." });
        return { text: response.text, steps: step, toolCalls, pending: { call, configName: tool.configName, assistantText: response.text } };
      }
      toolCalls++;
      messages.push(await runToolCall(tool, call));
    }
  }
  const last = await run.chat([...messages, { role: "user", content: "(Please answer now with what you have; no more tools.)" }], [], run.knowledge);
  // A model that still only asks for tools leaves no text: the user is told, never left with nothing.
  return { text: last.text.trim() ? last.text : STEP_LIMIT_REPLY, steps: run.maxSteps + 1, toolCalls, stepLimitReached: true };
}

export function confirmationQuestion(pending: PendingToolCall): string {
  const args = Object.entries(pending.call.arguments).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
  // The tool's own name (`get-sum` of `mcp:everything/get-sum`), not the model-facing one.
  const label = pending.configName.split(/[/.:]/).at(-1) ?? pending.call.name;
  return `Before I go ahead, please confirm: ${label}${args ? ` (${args})` : ""}. Shall I do it? (yes/no)`;
}

export function isYes(text: string): boolean {
  return /^\s*(y|yes|yeah|yep|sure|ok|okay|confirm(ed)?|go ahead|do it|please do)\b/i.test(text);
}
