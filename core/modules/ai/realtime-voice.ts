/**
 * Realtime voice: a bot may answer phone calls with a speech-to-speech model (OpenAI Realtime or
 * Gemini Live) instead of turn-by-turn <Say>/<Gather>. Its `config.voice.realtime` names the
 * provider (and optionally model and voice); the platform's key for that provider must be set.
 *
 * The channel that holds the call's audio (a trusted plugin) asks here for what the model needs:
 * the bot's instructions (the same prompt assembly as the llm/agent nodes, with a note that this
 * is a phone call), its tools as JSON Schema, and the vendor endpoint; it calls back to run a tool
 * and to record the tokens spent.
 */
import type { ServiceBroker } from "moleculer";
import type { PlatformConfig } from "../../kernel/config/config.ts";
import { NotFoundError } from "../../sdk/platform-error.ts";
import type { BotConfig } from "../../engine/bots/bot-config.ts";
import type { LlmUsage } from "../../sdk/llm-provider.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";
import type { ToolFactory, ToolScope } from "./agent-tools.ts";
import { buildSystemPrompt } from "./prompt-builder.ts";
import type { UsageLedger } from "./usage-ledger.ts";

export { botVoiceConfigSchema, realtimeVoiceConfigSchema, type RealtimeVoiceConfig } from "../../engine/bots/bot-voice-config.ts";
import type { RealtimeVoiceConfig } from "../../engine/bots/bot-voice-config.ts";

export const DEFAULT_REALTIME_MODELS = { openai: "gpt-realtime", gemini: "gemini-live-2.5-flash-preview" } as const;

export type RealtimePlan = { provider: RealtimeVoiceConfig["provider"]; model: string; voice?: string };

/** `ai.realtimeSession`'s answer; its contract is the SDK's (a voice channel is the caller). */
export type { RealtimeSetup } from "../../sdk/ai-contract.ts";
import type { RealtimeSetup } from "../../sdk/ai-contract.ts";
import { AiErrorCode } from "./ai-errors.ts";
import { applyToolPolicy } from "./tool-policy.ts";

const VOICE_NOTE = [
  "This conversation is a live phone call: you hear the caller and your words are spoken aloud.",
  "Speak naturally in short sentences. Never read out lists, markup, links or long numbers unless asked; offer to spell things when it helps.",
  "If the caller interrupts you, stop and listen.",
].join(" ");

type Deps = { config: PlatformConfig; broker: ServiceBroker; ledger: UsageLedger; toolsFor: ToolFactory };

export function createRealtimeVoice(deps: Deps) {
  const { config, broker } = deps;
  const keys = {
    openai: config.OPENAI_API_KEY ? { apiKey: config.OPENAI_API_KEY, baseUrl: config.OPENAI_BASE_URL } : undefined,
    gemini: config.GEMINI_API_KEY ? { apiKey: config.GEMINI_API_KEY, baseUrl: config.GEMINI_BASE_URL } : undefined,
  };

  async function botConfig(tenantId: string, botId: string): Promise<BotConfig> {
    return (await broker.call<{ config: BotConfig }, object>("bots.flow", { tenantId, botId })).config;
  }

  function planOf(bot: BotConfig): RealtimePlan | null {
    const wanted = bot.voice?.realtime;
    // A bot asking for a provider this platform has no key for keeps the turn-by-turn voice path.
    if (!wanted || !keys[wanted.provider]) return null;
    return { provider: wanted.provider, model: wanted.model ?? DEFAULT_REALTIME_MODELS[wanted.provider], ...(wanted.voice ? { voice: wanted.voice } : {}) };
  }

  async function scopedTools(scope: ToolScope, bot: BotConfig) {
    return deps.toolsFor(scope, bot.ai?.tools ?? [], bot.ai?.mcpServers ?? []);
  }

  return {
    /** Whether calls to this bot go to a realtime model, and which; null for turn-by-turn voice. */
    async plan(params: { tenantId: string; botId: string }): Promise<RealtimePlan | null> {
      return planOf(await botConfig(params.tenantId, params.botId));
    },

    /** Everything one call's model session needs; refuses when the plan changed or the quota is spent. */
    async session(params: { tenantId: string; botId: string }): Promise<RealtimeSetup> {
      const [bot, tenant] = await Promise.all([
        botConfig(params.tenantId, params.botId),
        broker.call<{ tier: TenantTier }, object>("tenants.get", { tenantId: params.tenantId }),
      ]);
      const plan = planOf(bot);
      if (!plan) throw new NotFoundError(AiErrorCode.realtimeVoiceNotConfigured, "A realtime voice model for this bot");
      await deps.ledger.assertQuota(params.tenantId, tenant.tier);
      const ai = bot.ai ?? {};
      const toolSet = await scopedTools(params, bot);
      try {
        const policy = applyToolPolicy(toolSet.tools, ai);
        const confirm = policy.offered.filter((t) => policy.confirm.has(t.configName)).map((t) => t.name);
        const parts = [
          buildSystemPrompt({ ai, knowledge: [], ctas: (bot.ctas ?? []).map((c) => ({ id: c.id, label: c.label, url: c.url })), collected: {}, injectionSuspected: false }),
          VOICE_NOTE,
        ];
        if (toolSet.tools.some((t) => t.configName === "knowledge")) parts.push("For facts about the business, search the knowledge base with knowledge_search before answering.");
        if (confirm.length > 0) parts.push(`Before calling ${confirm.join(", ")}, tell the caller what you are about to do and wait until they say yes.`);
        const greeting = ai.greeting ?? bot.greeting;
        return {
          ...plan,
          instructions: parts.join("\n\n"),
          ...(greeting ? { greeting } : {}),
          tools: policy.offered.map(({ name, description, parameters }) => ({ name, description, parameters })),
          connection: keys[plan.provider]!,
        };
      } finally {
        await toolSet.close();
      }
    },

    /** Runs one tool the model asked for; a failure is the tool's answer, never an exception. */
    async runTool(params: { tenantId: string; botId: string; sessionId?: string; name: string; arguments: Record<string, unknown> }): Promise<{ ok: boolean; text: string }> {
      const bot = await botConfig(params.tenantId, params.botId);
      const toolSet = await scopedTools({ tenantId: params.tenantId, botId: params.botId, sessionId: params.sessionId }, bot);
      try {
        const tool = applyToolPolicy(toolSet.tools, bot.ai ?? {}).offered.find((t) => t.name === params.name);
        return tool ? await tool.run(params.arguments) : { ok: false, text: `There is no tool named ${params.name}.` };
      } finally {
        await toolSet.close();
      }
    },

    async recordUsage(params: { tenantId: string; botId: string; provider: string; model: string; usage: LlmUsage }): Promise<void> {
      await deps.ledger.record(params);
    },
  };
}
export type RealtimeVoice = ReturnType<typeof createRealtimeVoice>;
