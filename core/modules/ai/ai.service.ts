import type { Context, ServiceSchema } from "moleculer";
import { messageQuotaFor } from "../../engine/conversations/message-quota.ts";
import { effectiveSettings, type TenantSettings } from "../../kernel/tenancy/tenant-settings.ts";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { NotFoundError } from "../../sdk/platform-error.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";
import { createToolFactory } from "./agent-tools.ts";
import { createAnswerCache } from "./answer-cache.ts";
import { createResponder, type RespondParams, type RespondResult, type Responder } from "./assistant-responder.ts";
import { createLlmRouter, type LlmRouter } from "./llm-router.ts";
import { createMcpTools, type McpTools } from "./mcp-tools.ts";
import type { ToolCallParams } from "./mcp-tool-call.ts";
import { createRealtimeVoice, type RealtimeVoice } from "./realtime-voice.ts";
import { classifyMessage, type ClassifyParams } from "./message-classifier.ts";
import { createToolCallLog } from "./tool-call-log.ts";
import { createUsageLedger } from "./usage-ledger.ts";
import { defineLlmMetrics } from "./llm-metrics.ts";
import { openStreamSink } from "../../kernel/broker/turn-stream.ts";
import { BotEvents } from "../../engine/bots/bots.service.ts";
import { fillSecrets } from "../../sdk/template.ts";
import { TemplateErrorCode } from "../../sdk/template.ts";

/**
 * The AI actions the llm and agent node types call (`ai.respond`), and the accounting the gateway
 * and the conversations service read (`ai.assertQuota`, `ai.usage`, `ai.toolCalls`).
 */
/** How long a turn's model answer is kept by its node's idempotency key (see aiRespondParamsSchema). */
const TURN_REPLY_SECONDS = 2 * 60 * 60;

export function createAiService(platform: PlatformContext): ServiceSchema {
  const ledger = createUsageLedger(platform);
  const toolLog = createToolCallLog(platform);
  let respond: Responder;
  let realtime: RealtimeVoice;
  let router: LlmRouter;
  let mcpTools: McpTools | undefined;
  // An agent turn may make several model and tool calls: it must not be cut at the default request
  // timeout, nor re-run by the broker's retry policy (that would repeat tool calls). Moleculer reads
  // both from the action; its typings lack `timeout`, hence the spread.
  const longRunning = { timeout: platform.config.AI_TIMEOUT_MS * 3, retryPolicy: { enabled: false } };

  return {
    name: "ai",
    events: {
      [BotEvents.changed](ctx: Context<{ tenantId: string; botId: string }>) {
        respond?.forgetBot(ctx.params.tenantId, ctx.params.botId);
      },
    },
    actions: {
      respond: {
        ...longRunning,
        /** With `meta.stream` (a live turn, see conversations/turn-stream.ts) the model's tokens are shown as they come. */
        async handler(ctx: Context<RespondParams, { stream?: unknown }>) {
          // A retried turn's answer, kept by the node's idempotency key (in Redis across nodes): one model call per node per turn.
          const kept = ctx.params.idempotencyKey ? `ai-turn:${ctx.params.tenantId}:${ctx.params.idempotencyKey}` : undefined;
          const earlier = kept ? await platform.cache.cache.get(kept).catch(() => undefined) : undefined;
          if (earlier) return JSON.parse(earlier) as RespondResult;
          const stream = openStreamSink(this.broker, ctx.meta.stream);
          try {
            const reply = await respond(ctx.params, { stream });
            // Kept past the inbound queue's retries (about an hour by default); a cache that refuses only loses the dedupe.
            if (kept) await platform.cache.cache.set(kept, JSON.stringify(reply), TURN_REPLY_SECONDS).catch(() => {});
            return reply;
          } finally {
            await stream?.flush();
          }
        },
      },
      // Realtime voice (channels that hold a call's audio): see realtime-voice.ts.
      realtimePlan(ctx: Context<{ tenantId: string; botId: string }>) {
        return realtime.plan(ctx.params);
      },
      realtimeSession(ctx: Context<{ tenantId: string; botId: string }>) {
        return realtime.session(ctx.params);
      },
      realtimeTool: {
        ...longRunning,
        handler(ctx: Context<Parameters<RealtimeVoice["runTool"]>[0]>) {
          return realtime.runTool(ctx.params);
        },
      },
      async realtimeUsage(ctx: Context<Parameters<RealtimeVoice["recordUsage"]>[0]>) {
        await realtime.recordUsage(ctx.params);
        return { ok: true };
      },
      /**
       * Intent and sentiment of a message from the bot's model (see message-classifier.ts), or null
       * when the bot has no provider this platform holds a key for (the caller reads it offline).
       */
      classify: {
        ...{ timeout: platform.config.AI_TIMEOUT_MS + 5000 },
        async handler(ctx: Context<ClassifyParams>) {
          const { provider, model } = ctx.params;
          if (provider === undefined || provider === "offline") return null;
          const tenant = await ctx.call<{ tier: TenantTier }, object>("tenants.get", { tenantId: ctx.params.tenantId });
          await ledger.assertQuota(ctx.params.tenantId, tenant.tier);
          return classifyMessage(router, { provider, ...(model ? { model } : {}) }, tenant.tier, ctx.params);
        },
      },
      async assertQuota(ctx: Context<{ tenantId: string }>) {
        const tenant = await ctx.call<{ tier: TenantTier }, object>("tenants.get", { tenantId: ctx.params.tenantId });
        await ledger.assertQuota(ctx.params.tenantId, tenant.tier);
        return { ok: true };
      },
      async usage(ctx: Context<{ tenantId: string }>) {
        const tenant = await ctx.call<{ tier: TenantTier; settings: TenantSettings }, object>("tenants.get", { tenantId: ctx.params.tenantId });
        const quota = ledger.quotaFor(tenant.tier);
        const used = await ledger.usedThisMonth(ctx.params.tenantId);
        const messageQuota = messageQuotaFor(platform.config, tenant.tier);
        const messagesUsed = await ctx.call<number, object>("conversations.messagesUsed", { tenantId: ctx.params.tenantId });
        const settings = effectiveSettings(tenant.settings);
        return {
          month: new Date().toISOString().slice(0, 7), tier: tenant.tier, quota, used, remaining: Math.max(0, quota - used),
          // Every limit the tenant runs under, beside what it used of those counted per month.
          limits: {
            aiTokensPerMonth: { quota, used },
            messagesPerMonth: { quota: messageQuota, used: messagesUsed },
            requestsPerMinute: tenant.tier === "paid" ? platform.config.RATE_LIMIT_PAID_PER_MINUTE : platform.config.RATE_LIMIT_FREE_PER_MINUTE,
            messagesPerMinutePerUser: settings.messagesPerMinutePerUser,
            sessionTtlDays: settings.sessionTtlDays,
            retentionDays: settings.retentionDays,
          },
          byMonthAndModel: await ledger.report(ctx.params.tenantId),
        };
      },
      /** One MCP tool call for a flow's `tool` node, recorded like the agent's (see mcp-tool-call.ts). */
      callTool: {
        ...longRunning,
        handler(ctx: Context<ToolCallParams>) {
          return mcpTools!.callTool(ctx.params);
        },
      },
      async toolCalls(ctx: Context<{ tenantId: string; limit?: number }>) {
        const rows = await toolLog.list(ctx.params.tenantId, ctx.params.limit ?? 100);
        return rows.map((r) => ({ tool: r.tool, sessionId: r.session_id, inputBytes: r.input_bytes, latencyMs: r.latency_ms, outcome: r.outcome, at: new Date(r.at).toISOString() }));
      },
    },
    created() {
      const broker = this.broker;
      const logger = platform.logger.child({ component: "ai" });
      const resolveSecrets = (tenantId: string, template: string, host: string): Promise<string> => fillSecrets(template, async (name) => {
        const value = await broker.call<string | null, object>("secrets.resolve", { tenantId, name, host });
        if (value === null || value === undefined) throw new NotFoundError(TemplateErrorCode.secretNotFound, `Secret ${name}`);
        return value;
      });
      mcpTools = createMcpTools(platform, broker, toolLog, resolveSecrets);
      const toolsFor = createToolFactory({ broker, log: toolLog, logger, resolveSecrets, allowPrivateNetworks: platform.config.ALLOW_PRIVATE_NETWORKS, timeoutMs: platform.config.AI_TIMEOUT_MS, stdio: mcpTools.stdio, pool: mcpTools.pool });
      router = createLlmRouter(platform.config, broker, ledger, logger, defineLlmMetrics(platform.metrics));
      respond = createResponder({
        platform, broker, ledger, toolLog,
        router,
        cache: createAnswerCache(platform.cache.cache, platform.config.AI_ANSWER_CACHE_SECONDS),
        toolsFor,
      });
      realtime = createRealtimeVoice({ config: platform.config, broker, ledger, toolsFor });
    },
    /** Stops the stdio MCP server processes this node started and closes its pooled MCP sessions. */
    async stopped() {
      await mcpTools?.close();
    },
  };
}
