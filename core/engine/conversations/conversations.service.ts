import { createHmac } from "node:crypto";
import { createMessageCounter, messageQuotaFor } from "./message-quota.ts";
import type { Context, ServiceBroker, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { ConflictError, NotFoundError, PayloadTooLargeError, RateLimitedError, ValidationError } from "../../sdk/platform-error.ts";
import { createFlowEngine, type FlowEngine, type TurnReply } from "../flow/flow-engine.ts";
import type { NodeTypeRegistry } from "../flow/node-type-registry.ts";
import type { TenantNodeTypes } from "../flow/tenant-node-types.ts";
import type { SessionRecord } from "../flow/session-store.ts";
import { safeFetch } from "../../kernel/net/safe-fetch.ts";
import type { InputRequest } from "../../sdk/node-type.ts";
import { effectiveSettings, type TenantSettings } from "../../kernel/tenancy/tenant-settings.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";
import { createTenantViewCache } from "../../kernel/tenancy/tenant-view-cache.ts";
import { TenancyEvents } from "../../kernel/tenancy/tenants.service.ts";
import { ctasFor, type BotConfig } from "../bots/bot-config.ts";
import { recordCallTranscript, type CallTranscriptParams } from "./call-transcript.ts";
import { PostgresSessionStore } from "./postgres-session-store.ts";
import { RecentSessionStore } from "./recent-session-store.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { BotEvents } from "../bots/bots.service.ts";
import { startSessionSweeper } from "./session-sweeper.ts";
import { findOpenSession } from "./open-session.ts";
import { flowUsesAi } from "../bots/assistant-flow.ts";
import { deliverStreamEvents, openStreamSink, type StreamEvent } from "../../kernel/broker/turn-stream.ts";
import type { MessageUnderstanding } from "../flow/message-understanding.ts";
import { DEFAULT_HUMAN_KEYWORDS, DEFAULT_HUMAN_MESSAGE, type HumanRequestRule } from "../flow/human-request.ts";
import type { AgentRef } from "../flow/flow-engine.ts";
import { CONVERSATION_PUSHED, liveSessionsOf, type PushedMessages } from "./live-sessions.ts";
import type { OutboundMessage } from "../../sdk/node-type.ts";

/** What became of messages pushed to a user outside their turn: `live` (watchers of the web chat), or the vendor channel's reports. */
export type PushOutcome = { via: "live" | "channel"; delivered: boolean; error?: string };

export type ChatReply = TurnReply & { ctas: { id: string; label: string; url?: string }[] };
export type StartParams = { tenantId: string; botId: string; userId?: string; channel: string; context?: Record<string, unknown>; oneOpenPerUser?: boolean; reportChanges?: boolean };
/** `ref`: the channel's own id of the message, kept with it in the history (see HandleMessageParams). */
export type MessageParams = { tenantId: string; sessionId: string; text?: string; choice?: string; ref?: string; reportChanges?: boolean };

type PublishedFlow = { version: number; flow: unknown; config: BotConfig; name: string };

/**
 * Conversations on this node: the flow engine on the PostgreSQL session store, behind the limits
 * every channel shares (message length, per-user rate, monthly quota). Channels call these actions;
 * they never touch the engine or the store.
 */
/** `tenantNodeTypes` adds each tenant's marketplace installs to `nodeTypes`, resolved per turn. */
export function createConversationsService(platform: PlatformContext, nodeTypes: NodeTypeRegistry, tenantNodeTypes?: TenantNodeTypes): ServiceSchema {
  const em = () => platform.db.orm.em.fork();
  const messageCounter = createMessageCounter({
    cache: platform.cache.cache,
    sql: async <T>(text: string, params: unknown[]) => (await em().getConnection().execute(text, params)) as T,
    onError: (error) => platform.logger.warn({ component: "conversations", err: error }, "Could not write message counts; kept for the next try"),
  });
  const store = new RecentSessionStore(new PostgresSessionStore(em));
  // Published versions never change; the latest version and the bot's config do, and every node
  // drops them on `bot.changed`.
  const flows = new Map<string, PublishedFlow>();
  let engine: FlowEngine;

  let broker: ServiceBroker;

  async function publishedFlow(tenantId: string, botId: string, version?: number): Promise<PublishedFlow> {
    const key = `${tenantId}:${botId}:${version ?? "latest"}`;
    const cached = flows.get(key);
    if (cached) return cached;
    const found = await broker.call<PublishedFlow, object>("bots.flow", { tenantId, botId, version });
    if (flows.size > 5000) flows.clear();
    flows.set(`${tenantId}:${botId}:${found.version}`, found);
    if (version === undefined) flows.set(key, found);
    return found;
  }

  // A session's bot and flow version never change, so they are read once per node.
  const sessionBots = new Map<string, { tenantId: string; botId: string; flowVersion: string }>();
  async function sessionBot(tenantId: string, sessionId: string): Promise<{ botId: string; flowVersion: string }> {
    const known = sessionBots.get(sessionId);
    if (known && known.tenantId === tenantId) return known;
    const session = await store.get(tenantId, sessionId);
    if (!session) throw new NotFoundError("SESSION_NOT_FOUND", "Session");
    if (sessionBots.size > 50_000) sessionBots.clear();
    sessionBots.set(sessionId, { tenantId, botId: session.botId, flowVersion: session.flowVersion });
    return session;
  }

  // Read on every turn for the limits; dropped on every node when the tenant changes.
  const tenants = createTenantViewCache(() => broker);
  function tenantOf(tenantId: string): Promise<{ tier: TenantTier; settings: TenantSettings }> {
    return tenants.get(tenantId);
  }

  /** `limitKey` names the end user (a session, or a userId); undefined when nobody is named yet. */
  async function enforceLimits(tenantId: string, limitKey: string | undefined, config: BotConfig, text: string | undefined): Promise<void> {
    if (text !== undefined && text.length > platform.config.MESSAGE_MAX_CHARS) {
      throw new PayloadTooLargeError("MESSAGE_TOO_LONG", `A message may be at most ${platform.config.MESSAGE_MAX_CHARS} characters`);
    }
    const tenant = await tenantOf(tenantId);
    const perMinute = config.messagesPerMinutePerUser ?? effectiveSettings(tenant.settings).messagesPerMinutePerUser;
    // Anonymous starts are held by the tenant's own request limit at the gateway instead: one shared
    // bucket for every anonymous visitor would let one of them lock out the rest.
    const rate = limitKey === undefined ? { allowed: true as const } : await platform.cache.rateLimiter.consume(`user:${tenantId}:${limitKey}`, perMinute, 60);
    if (!rate.allowed) throw new RateLimitedError("USER_RATE_LIMITED", `You can send ${perMinute} messages a minute; please wait a moment`, rate.retryAfterSeconds);
    const quota = messageQuotaFor(platform.config, tenant.tier);
    const used = await messageCounter.count(tenantId);
    if (used > quota) throw new RateLimitedError("MONTHLY_QUOTA_EXHAUSTED", `This month's ${quota} messages are used up; upgrade the plan or wait for next month`, secondsUntilNextMonth());
  }

  function withCtas(reply: TurnReply, config: BotConfig, atNode: string | null, lastText?: string): ChatReply {
    return { ...reply, ctas: ctasFor(config, atNode, lastText) };
  }

  /** What an end user may see of a session: never its variables or another user's data. */
  function publicView(session: SessionRecord) {
    return {
      sessionId: session.id, botId: session.botId, status: session.status, revision: session.revision, channel: session.channel,
      input: (session.position.input as InputRequest | undefined) ?? null, flowVersion: session.flowVersion,
      createdAt: session.createdAt.toISOString(), updatedAt: session.updatedAt.toISOString(),
    };
  }

  /**
   * Intent and sentiment of a typed message, from the nlp module when this platform runs it
   * (`nlp.understand`). A failure there must not cost the user their turn: the flow then runs
   * without `temp.intent` and `temp.sentiment`, and the failure is logged.
   */
  async function understand(tenantId: string, botId: string, sessionId: string, text: string | undefined): Promise<MessageUnderstanding | undefined> {
    if (text === undefined) return undefined;
    try {
      return await broker.call<MessageUnderstanding, object>("nlp.understand", { tenantId, botId, text });
    } catch (error) {
      platform.logger.warn({ component: "conversations", tenantId, botId, sessionId, err: error }, "the message's intent and sentiment could not be read; the flow runs without them");
      return undefined;
    }
  }

  /**
   * Messages that reach a user outside their own turn: every node's live watchers of the session
   * hear them (the web widget), and a vendor channel (a messaging app, SMS) gets them through its plugin's
   * `deliver`. A channel with no `deliver` (the web chat) has only its watchers, and its history.
   */
  async function pushToUser(tenantId: string, sessionId: string, messages: OutboundMessage[], reply: Pick<TurnReply, "status" | "input" | "revision">): Promise<PushOutcome> {
    if (messages.length === 0) return { via: "live", delivered: true };
    const pushed: PushedMessages = { tenantId, sessionId, messages, status: reply.status, input: reply.input ?? null, revision: reply.revision };
    await broker.broadcast(CONVERSATION_PUSHED, pushed);
    const session = await store.get(tenantId, sessionId);
    if (!session) return { via: "live", delivered: false, error: "The conversation is gone" };
    const via = typeof session.variables.context?.replyChannel === "string" ? session.variables.context.replyChannel : session.channel;
    return broker.call<PushOutcome, object>("channelConfig.sendToUser", {
      tenantId, botId: session.botId, channel: via, userId: session.userId, sessionId, messages, input: reply.input ?? null,
    });
  }

  let sweeper: { stop(): void; sweep(): Promise<void> } | undefined;

  return {
    name: "conversations",
    events: {
      [BotEvents.changed](ctx: Context<{ tenantId: string; botId: string }>) {
        for (const key of flows.keys()) if (key.startsWith(`${ctx.params.tenantId}:${ctx.params.botId}:`)) flows.delete(key);
      },
      [TenancyEvents.updated](ctx: Context<{ tenantId: string }>) {
        tenants.drop(ctx.params.tenantId);
      },
      [TenancyEvents.deleted](ctx: Context<{ tenantId: string }>) {
        tenants.drop(ctx.params.tenantId);
      },
      [CONVERSATION_PUSHED](ctx: Context<PushedMessages>) {
        liveSessionsOf(broker).publish(ctx.params);
      },
    },
    actions: {
      /** The month's messages of the tenant's end users, against the monthly quota (the usage page). */
      async messagesUsed(ctx: Context<{ tenantId: string }>): Promise<number> {
        return messageCounter.used(ctx.params.tenantId);
      },
      /** `version`: a published version or a draft's test snapshot (bots.testVersion); the latest published when omitted. */
      async start(ctx: Context<StartParams & { version?: number }>): Promise<ChatReply & { csrfToken: string }> {
        const { tenantId, botId } = ctx.params;
        const published = await publishedFlow(tenantId, botId, ctx.params.version);
        await enforceLimits(tenantId, ctx.params.userId === undefined ? undefined : `start:${ctx.params.userId}`, published.config, undefined);
        // Checked here, not in the node: a failed node becomes a polite message, and a spent quota must be a 429.
        if (flowUsesAi(published.flow)) await ctx.call("ai.assertQuota", { tenantId });
        const { session, reply } = await engine.startSession({
          tenantId, botId, flow: published.flow, flowVersion: String(published.version), userId: ctx.params.userId, channel: ctx.params.channel, context: ctx.params.context,
          ...(ctx.params.oneOpenPerUser ? { oneOpenPerUser: true } : {}), ...(ctx.params.reportChanges ? { reportChanges: true } : {}),
        });
        sessionBots.set(session.id, { tenantId, botId, flowVersion: session.flowVersion });
        return { ...withCtas(reply, published.config, session.position.nodeId), csrfToken: csrfTokenFor(platform.operatorKeyHash, session.id) };
      },

      /** With `meta.stream` (a handle from turn-stream.ts), nodes' drafts go to that watcher while the turn runs. */
      async message(ctx: Context<MessageParams, { stream?: unknown }>): Promise<ChatReply> {
        const { tenantId, sessionId, text, choice, ref } = ctx.params;
        if ((text === undefined) === (choice === undefined)) throw new ValidationError("MESSAGE_EMPTY", "Send either `text` or `choice`");
        const { botId, flowVersion } = await sessionBot(tenantId, sessionId);
        const published = await publishedFlow(tenantId, botId, Number(flowVersion));
        await enforceLimits(tenantId, sessionId, published.config, text ?? choice);
        if (flowUsesAi(published.flow)) await ctx.call("ai.assertQuota", { tenantId });
        const understood = await understand(tenantId, botId, sessionId, text);
        const handoffRule = published.config.nlp?.handoff;
        const humanRequest = humanRequestRule(published.config);
        const sink = openStreamSink(broker, ctx.meta.stream);
        try {
          const reply = await engine.handleMessage({
            tenantId, sessionId, ...(text !== undefined ? { text } : { choice }), ...(typeof ref === "string" ? { ref } : {}),
            ...(understood ? { understanding: { understood, ...(handoffRule ? { handoffRule } : {}) } } : {}),
            ...(humanRequest ? { humanRequest } : {}), ...(ctx.params.reportChanges ? { reportChanges: true } : {}),
            ...(sink ? { stream: { delta: (index, delta) => sink.delta(delta, index), reset: (index) => { sink.reset(index ?? "turn"); return sink.flush(); }, handle: (index) => ({ ...sink.handle, index }) } } : {}),
          });
          return withCtas(reply, published.config, reply.input ? reply.atNode : null, text ?? choice);
        } finally {
          // Drafts before the reply: the watcher must not get a draft after the committed message.
          await sink?.flush();
        }
      },

      /** Live-turn events for a watcher on this node (called with `nodeID` by turn-stream.ts sinks elsewhere). */
      streamEvents: {
        visibility: "public",
        handler(ctx: Context<{ streamId: string; events: StreamEvent[] }>) {
          deliverStreamEvents(broker, ctx.params.streamId, ctx.params.events);
          return true;
        },
      },

      /** Hands an active conversation to a person (an agent tool, a helpdesk); the user is told when `message` is given. */
      async requestHandoff(ctx: Context<{ tenantId: string; sessionId: string; reason: string; source: string; summary?: string; message?: string }>) {
        const reply = await engine.requestHandoff(ctx.params);
        const outcome = ctx.params.message ? await pushToUser(ctx.params.tenantId, ctx.params.sessionId, [{ type: "text", text: ctx.params.message }], reply) : undefined;
        return { ...reply, ...(outcome ? { delivery: outcome } : {}) };
      },

      /** A person's reply to a conversation handed to them: kept in its history and delivered on its own channel. */
      async postAgentMessage(ctx: Context<{ tenantId: string; sessionId: string; text: string; agent: AgentRef }>) {
        const { reply, message } = await engine.postAgentMessage(ctx.params);
        return { ...reply, message, delivery: await pushToUser(ctx.params.tenantId, ctx.params.sessionId, [message], reply) };
      },

      /** The bot takes the conversation back (at `nodeId`, or where it waited); what it says goes to the user on their channel. */
      async releaseHandoff(ctx: Context<{ tenantId: string; sessionId: string; nodeId?: string; reason?: string }>) {
        const reply = await engine.releaseHandoff(ctx.params);
        return { ...reply, delivery: reply.messages.length > 0 ? await pushToUser(ctx.params.tenantId, ctx.params.sessionId, reply.messages, reply) : undefined };
      },

      /** Ends a conversation handed to people (a person closes it, or nobody came in time), with a last message to the user when given. */
      async closeHandedOff(ctx: Context<{ tenantId: string; sessionId: string; message?: string; agent?: AgentRef; reason: string }>) {
        const { agent } = ctx.params;
        const last: OutboundMessage | undefined = ctx.params.message ? { type: "text", text: ctx.params.message, ...(agent ? { agent: { name: agent.name } } : {}) } : undefined;
        const ended = await engine.endSession({ tenantId: ctx.params.tenantId, sessionId: ctx.params.sessionId, reason: ctx.params.reason, ...(last ? { message: last } : {}) });
        const reply = { status: ended.status, input: undefined, revision: ended.revision };
        return { ...publicView(ended), delivery: await pushToUser(ctx.params.tenantId, ended.id, last ? [last] : [], reply) };
      },

      // The chat and admin reads run under the tenant's row-level security scope too (withTenantScope).
      async get(ctx: Context<{ tenantId: string; sessionId: string }>) {
        const session = await withTenantScope(platform.db, ctx.params.tenantId, (scoped) => new PostgresSessionStore(() => scoped).get(ctx.params.tenantId, ctx.params.sessionId));
        if (!session) throw new NotFoundError("SESSION_NOT_FOUND", "Session");
        return publicView(session);
      },

      /** Ends idle sessions now rather than at the next minute's sweep (tests, operators' tools); not an HTTP route. */
      sweep: {
        visibility: "public",
        async handler() {
          await sweeper?.sweep();
          return true;
        },
      },

      /** For channels: a call answered by a realtime voice model, kept as an ended session with its transcript. */
      async recordCall(ctx: Context<CallTranscriptParams>) {
        const published = await publishedFlow(ctx.params.tenantId, ctx.params.botId);
        const recorded = await recordCallTranscript(store, published.version, ctx.params);
        ctx.emit("conversation.session.ended", { tenantId: ctx.params.tenantId, botId: ctx.params.botId, sessionId: recorded.sessionId, reason: "call_ended" });
        return recorded;
      },

      async history(ctx: Context<{ tenantId: string; sessionId: string; limit?: number }>) {
        const entries = await withTenantScope(platform.db, ctx.params.tenantId, (scoped) => new PostgresSessionStore(() => scoped).history(ctx.params.tenantId, ctx.params.sessionId, { limit: ctx.params.limit }));
        return entries.map((e) => ({ direction: e.direction, nodeId: e.nodeId, at: e.at.toISOString(), revision: e.revision, message: e.message }));
      },

      async end(ctx: Context<{ tenantId: string; sessionId: string }>) {
        const ended = await engine.endSession({ tenantId: ctx.params.tenantId, sessionId: ctx.params.sessionId, reason: "ended_by_user" });
        return publicView(ended);
      },

      /** The simple form of `POST /chat`: one call per message; the caller's session id names the conversation. */
      async chat(ctx: Context<{ tenantId: string; botId: string; externalSessionId: string; message: string }>) {
        const { tenantId, botId, externalSessionId, message } = ctx.params;
        const open = await findOpenSession(em().getConnection(), { tenantId, botId, userId: `api:${externalSessionId}`, channel: "api" });
        let reply: ChatReply;
        if (open) {
          reply = await ctx.call<ChatReply, MessageParams>("conversations.message", { tenantId, sessionId: open.id, text: message });
        } else {
          const started = await ctx.call<ChatReply, StartParams>("conversations.start", { tenantId, botId, userId: `api:${externalSessionId}`, channel: "api" });
          // The first message answers the greeting's question when the flow waits; otherwise it is kept in history only.
          reply = started.input && message.trim() ? await ctx.call<ChatReply, MessageParams>("conversations.message", { tenantId, sessionId: started.sessionId, text: message }) : started;
          if (reply !== started) reply = { ...reply, messages: [...started.messages, ...reply.messages] };
        }
        const response = reply.messages.map((m) => (m.type === "text" ? m.text : m.type === "buttons" ? m.text : m.alt ?? "")).filter(Boolean).join("\n\n");
        const choices = (reply.input?.choices ?? []).map((c) => ({ id: c.value, label: c.label }));
        return { response, ctas: [...choices, ...reply.ctas], session_id: externalSessionId, status: reply.status };
      },
    },

    created() {
      broker = this.broker;
      engine = createFlowEngine({
        store,
        nodeTypes,
        tenantNodeTypes,
        loadFlow: async ({ tenantId, botId, flowVersion }) => (await publishedFlow(tenantId, botId, Number(flowVersion))).flow,
        emit: (event, payload) => void this.broker.emit(event, payload),
        fetch: (url, init) => safeFetch(url, init, { allowPrivateNetworks: platform.config.ALLOW_PRIVATE_NETWORKS }),
        circuits: platform.cache.circuits,
        metrics: platform.metrics,
        resolveSecret: async (tenantId, name, use) => (await this.broker.call<string | null, object>("secrets.resolve", { tenantId, name, ...use })) ?? undefined,
        runCode: (tenantId, request) => this.broker.call("sandbox.run", { tenantId, ...request }),
        // The content module (core/modules/content) answers; the engine records what was shown with the turn.
        pickContent: (params) => this.broker.call("content.pick", params),
        call: (action, params, options) => this.broker.call(action, params, options?.stream ? { meta: { stream: options.stream } } : undefined),
        log: {
          info: (message, data) => platform.logger.info({ component: "flow", ...data }, message),
          warn: (message, data) => platform.logger.warn({ component: "flow", ...data }, message),
          error: (message, data) => platform.logger.error({ component: "flow", ...data }, message),
        },
      });
    },
    started() {
      sweeper = startSessionSweeper(em, platform.logger, 60_000, (event) => void this.broker.emit("conversation.session.ended", event));
    },
    async stopped() {
      sweeper?.stop();
      await messageCounter.close();
    },
  };
}

/** The bot's rule for users asking for a person; none when the bot turned the keywords off. */
function humanRequestRule(config: BotConfig): HumanRequestRule | undefined {
  const keywords = config.handoff?.keywords ?? DEFAULT_HUMAN_KEYWORDS;
  return keywords.length === 0 ? undefined : { keywords, message: config.handoff?.message ?? DEFAULT_HUMAN_MESSAGE };
}

function secondsUntilNextMonth(): number {
  const now = new Date();
  return Math.ceil((Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()) / 1000);
}

/** Ties a browser's state-changing calls to the session it started, for requests made with cookies. */
export function csrfTokenFor(secret: string, sessionId: string): string {
  return createHmac("sha256", secret).update(`csrf:${sessionId}`).digest("base64url");
}

export function assertSessionNotEnded(session: SessionRecord): void {
  if (session.status === "ended") throw new ConflictError("SESSION_ENDED", "This conversation has ended");
}
