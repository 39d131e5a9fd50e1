/**
 * One answer of an llm or agent node, in order: collected fields are taken from the message and
 * locked; override attempts are logged; the tenant's rules answer first (no model); the quota is
 * checked; a repeated first question is answered from the cache; otherwise knowledge is retrieved,
 * the prompt assembled and the agent loop run; the reply is checked against the bot's format
 * (repaired, or regenerated once), and questions for locked fields are removed.
 *
 * Live turns (`stream`): the model's tokens are shown as they come, as a draft of the reply. A
 * step that ends in tool calls was not the answer, so its draft is reset; a regeneration is not
 * streamed; rule, cache and confirmation answers have no draft. Whatever the draft showed, the
 * text returned here (after format repair) is the message the turn commits, and it replaces it.
 */
import { createHash } from "node:crypto";
import type { ServiceBroker } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { ctasFor, type BotConfig } from "../../engine/bots/bot-config.ts";
import type { LlmMessage, LlmPassage } from "../../sdk/llm-provider.ts";
import type { AiReply, AiRespondParams } from "../../sdk/ai-contract.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";
import { confirmationQuestion, isYes, runAgent, runToolCall, STEP_LIMIT_REPLY } from "./agent-runner.ts";
import { searchKnowledge, type AgentTool, type ToolFactory } from "./agent-tools.ts";
import type { AnswerCache } from "./answer-cache.ts";
import { extractFields, removeQuestionsForKnown } from "./collected-fields.ts";
import { checkFormat, formatInstruction, repairFormat, trimParagraphs } from "./format-guard.ts";
import { detectInjection } from "./injection-guard.ts";
import { applyToolPolicy } from "./tool-policy.ts";
import type { LlmRouter } from "./llm-router.ts";
import { buildMessages, trimTranscript, type Transcript } from "./prompt-builder.ts";
import { matchRule } from "./rules-guard.ts";
import type { ToolCallLog } from "./tool-call-log.ts";
import type { StreamSink } from "../../kernel/broker/turn-stream.ts";
import type { UsageLedger } from "./usage-ledger.ts";

/** `ai.respond`'s contract is the SDK's (the llm and agent node types are its callers). */
export type RespondParams = AiRespondParams;
export type RespondResult = AiReply;

type Deps = {
  platform: PlatformContext;
  broker: ServiceBroker;
  router: LlmRouter;
  ledger: UsageLedger;
  cache: AnswerCache;
  toolsFor: ToolFactory;
  toolLog: ToolCallLog;
};

export function createResponder(deps: Deps) {
  const { platform, broker } = deps;

  // The bot's published version and config, kept on this node until it changes (`forgetBot`, on
  // `bot.changed`), like the conversations service does: one database read less before the first token.
  const bots = new Map<string, Promise<{ version: number; config: BotConfig }>>();
  function botOf(tenantId: string, botId: string): Promise<{ version: number; config: BotConfig }> {
    const key = `${tenantId}:${botId}`;
    let found = bots.get(key);
    if (!found) {
      if (bots.size > 5000) bots.clear();
      const lookup = broker.call<{ version: number; config: BotConfig }, object>("bots.flow", { tenantId, botId });
      bots.set(key, lookup);
      lookup.catch(() => { if (bots.get(key) === lookup) bots.delete(key); });
      found = lookup;
    }
    return found;
  }

  async function respond(params: RespondParams, options: { stream?: StreamSink } = {}): Promise<RespondResult> {
    const { tenantId, botId, sessionId, message } = params;
    const scope = { tenantId, botId, sessionId };
    const [bot, tenant] = await Promise.all([
      botOf(tenantId, botId),
      broker.call<{ tier: TenantTier }, object>("tenants.get", { tenantId }),
    ]);
    const ai = bot.config.ai ?? {};
    const collected = { ...params.collected, ...extractFields(message, params.collected ?? {}) };
    const historyTurns = ai.historyTurns ?? platform.config.AI_HISTORY_TURNS;
    // Trimmed before it is stored back in the node's state, so a long conversation stays small.
    const transcript: Transcript = trimTranscript(params.transcript ?? { turns: [] }, historyTurns);
    const done = (text: string, source: RespondResult["source"], extra: Partial<RespondResult> = {}): RespondResult => ({
      text, source, ctas: [], collected, ...extra,
      transcript: { ...transcript, turns: [...transcript.turns, { role: "user", content: message }, { role: "assistant", content: text }] },
    });

    const injection = detectInjection(message);
    if (injection.length > 0) {
      // The pattern names only: the message itself may hold personal data.
      platform.logger.warn({ component: "ai", ...scope, patterns: injection }, "prompt injection attempt: the user tried to override the bot's instructions");
      broker.emit("ai.injection.detected", { ...scope, patterns: injection });
    }

    const rule = params.pending ? undefined : matchRule(ai.rules, message, params.session ?? {}, bot.config.ctas ?? []);
    if (rule) return done(rule.reply ?? rule.cta?.label ?? "", "rule", { ctas: rule.cta ? [rule.cta] : [] });

    // Knowledge is searched while the quota and the cache are checked: the model's first token comes
    // sooner, at the price of a wasted search when the quota is spent or the cache answers.
    const searching: Promise<LlmPassage[]> = searchKnowledge(broker, scope, message, 4).catch((error: unknown) => {
      platform.logger.warn({ component: "ai", ...scope, err: error }, "knowledge search failed; answering without it");
      return [];
    });
    await deps.ledger.assertQuota(tenantId, tenant.tier);

    // Only a first question, with no collected fields, is answered the same for everyone.
    const cacheable = transcript.turns.length === 0 && !params.pending && Object.keys(collected).length === 0 && injection.length === 0;
    const revision = `${bot.version}:${createHash("sha256").update(JSON.stringify({ ai, ctas: bot.config.ctas, mode: params.mode, instructions: params.instructions, tools: params.tools })).digest("base64url")}`;
    if (cacheable) {
      const cached = await deps.cache.get(tenantId, botId, revision, message);
      if (cached !== undefined) return done(cached, "cache");
    }

    const knowledge = await searching;
    const ctas = ctasFor(bot.config, null, undefined);
    const toolNames = params.mode === "agent" ? params.tools ?? ai.tools ?? [] : [];
    const toolSet = await deps.toolsFor(scope, toolNames, ai.mcpServers ?? []);
    let provider: string | undefined;
    let model: string | undefined;
    const chat = async (messages: LlmMessage[], tools: readonly AgentTool[], passages: readonly LlmPassage[], stream = options.stream) => {
      const answer = await deps.router.chat({
        tenantId, botId, tier: tenant.tier, provider: ai.provider, model: ai.model, ...(stream ? { stream } : {}),
        request: { messages, tools: tools.map(({ name, description, parameters }) => ({ name, description, parameters })), knowledge: [...passages], maxTokens: 1024, cachePrompt: true, cacheKey: botId },
      });
      // Text said on the way to a tool call ("let me check") is not the answer.
      // Delivered before the next step's tokens, which may come from another node.
      if (stream && answer.toolCalls.length > 0 && answer.text) {
        stream.reset();
        await stream.flush();
      }
      provider = answer.provider; model = answer.model;
      return answer;
    };
    try {
      const messages = buildMessages({ ai, nodeInstructions: params.instructions, knowledge, ctas, collected, transcript, message, injectionSuspected: injection.length > 0 }, historyTurns);
      if (params.pending) {
        // The user answered a confirmation question: run the call or tell the model it was declined.
        const { call } = params.pending;
        messages.push({ role: "assistant", content: params.pending.assistantText, toolCalls: [call] });
        // A tool the bot has since turned off is not run, however the user answers.
        const tool = applyToolPolicy(toolSet.tools, ai).offered.find((t) => t.name === call.name);
        if (isYes(message)) messages.push(await runToolCall(tool, call));
        else {
          await deps.toolLog.record({ ...scope, tool: params.pending.configName, inputBytes: Buffer.byteLength(JSON.stringify(call.arguments)), latencyMs: 0, outcome: "denied" });
          messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: "The user declined; do not do it." });
        }
      }
      const { offered, confirm } = applyToolPolicy(toolSet.tools, ai);
      const outcome = await runAgent({
        messages, tools: offered, knowledge, maxSteps: params.mode === "agent" ? params.maxSteps ?? platform.config.AI_AGENT_MAX_STEPS : 1, confirm, chat,
        recordDenied: (configName, inputBytes, result) => deps.toolLog.record({ ...scope, tool: configName, inputBytes, latencyMs: 0, outcome: result }),
      });
      if (outcome.pending) return done(confirmationQuestion(outcome.pending), "confirmation", { pending: outcome.pending, provider, model });

      if (outcome.stepLimitReached) platform.logger.warn({ component: "ai", ...scope, steps: outcome.steps, toolCalls: outcome.toolCalls }, "the agent reached its step limit still asking for tools");
      let text = outcome.text.trim() ? outcome.text : STEP_LIMIT_REPLY;
      let repaired = repairFormat(text, ai.format);
      if (repaired.remaining.length > 0) {
        // Not repairable by rewriting (too many paragraphs): ask once more, then trim.
        // Not streamed: the draft shows the first answer until the repaired one replaces it.
        const again = await chat([...messages, { role: "assistant", content: text }, { role: "user", content: `(Please rewrite your last answer. ${formatInstruction(ai.format)})` }], [], knowledge, undefined);
        repaired = repairFormat(again.text, ai.format);
        if (repaired.remaining.includes("too_many_paragraphs") && ai.format?.maxParagraphs) repaired = { text: trimParagraphs(repaired.text, ai.format.maxParagraphs), remaining: [] };
      }
      text = removeQuestionsForKnown(repaired.text, collected).text || repaired.text;
      if (checkFormat(text, ai.format).length > 0) platform.logger.warn({ component: "ai", ...scope }, "reply still breaks the bot's format after repair");
      if (cacheable && outcome.toolCalls === 0 && text) await deps.cache.set(tenantId, botId, revision, message, text);
      return done(text, "model", { provider, model });
    } finally {
      await toolSet.close();
    }
  }

  /** Drops what this node keeps of a bot (call it on `bot.changed`). */
  function forgetBot(tenantId: string, botId: string): void {
    bots.delete(`${tenantId}:${botId}`);
  }

  return Object.assign(respond, { forgetBot });
}
export type Responder = ReturnType<typeof createResponder>;
