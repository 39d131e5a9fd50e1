import type { Context, ServiceBroker, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { queueDepth } from "../../kernel/observability/metric-registry.ts";
import { defineChannelMetrics } from "./channel-metrics.ts";
import { describeChannel, type CredentialCheck } from "../../sdk/channel.ts";
import { ConflictError, NotFoundError } from "../../sdk/platform-error.ts";
import { sealedFor } from "../../kernel/secrets/secret-box.ts";
import { createAckPriority } from "./ack-priority.ts";
import { createChannelMessageStore } from "./channel-message-store.ts";
import { channelOfBotView, checkView, configDigest, lastCheckOf, parseChannelConfig, splitSecrets, withKeptSecrets, type CheckRow, type StoredChannel } from "./channel-admin.ts";
import { webhookUrls, type ChannelRegistry, type RegisteredChannel, type ResolvedChannel } from "./channel-registry.ts";
import { processInboundJob, reserveSends, type DeliveryReport, type InboundJobParams } from "./channel-pipeline.ts";
import { runChannelTurn, type ChannelTurnParams } from "./channel-turn.ts";
import { createJetStreamQueue, createMemoryQueue, inboundChannelHandlers, type InboundConsumerOptions, type InboundJob, type InboundQueue } from "./inbound-queue.ts";
import { saidSince, type SaidSinceParams } from "./said-since.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { createDeadLetterStore } from "./dead-letter-store.ts";

export type { ResolvedChannel };

type BotChannel = { tenantId: string; botId: string; channel: RegisteredChannel };

/** A vendor's API gets this long to say whether credentials work (its client's own timeouts are shorter). */
const CHECK_TIMEOUT_MS = 30_000;

/** Broadcast to every node when a bot's channel configuration is replaced or removed. */
export const CHANNEL_CHANGED = "channel.config.changed";


/**
 * Per-bot channel configuration (checked against the channel plugin's own schemas, secrets sealed
 * with the platform master key) and the glue every vendor channel shares: the durable inbound queue, the exactly-once message ledger, outbound
 * status tracking, opt-outs, and one conversation turn per inbound message.
 *
 * `resolve`, `turn` and the ledger actions are for channel plugins, inside the platform; only
 * ofBot/put/get/check/remove/messages are routed to HTTP, and always scoped by the caller's tenant.
 */
export function createChannelConfigService(platform: PlatformContext, channels: ChannelRegistry): ServiceSchema {
  // Plain statements need only the connection: no EntityManager is forked (its identity map and unit of work are unused).
  const sql = () => platform.db.orm.em.getConnection();
  const messages = createChannelMessageStore(platform.db);
  const box = platform.secretBox;
  const publicUrl = platform.config.PUBLIC_URL ?? null;
  let broker: ServiceBroker;
  let queue: InboundQueue;
  let stopCollecting: (() => void) | undefined;
  const channelMetrics = defineChannelMetrics(platform.metrics);
  const deadLetters = createDeadLetterStore(platform.db);
  const turnTimeoutMs = platform.config.INBOUND_TURN_TIMEOUT_MS;
  // How both queues run a job, retry it and keep it when it fails for good (inbound-retry.ts).
  const consumer: InboundConsumerOptions = {
    run: (job) => broker.call(job.target, job.params, { timeout: turnTimeoutMs + 60_000 }),
    deadLetter: async (job, failure, attempts, firstReceivedAt) => {
      const kept = await deadLetters.record({ job, failure, attempts, firstReceivedAt });
      if (kept) channelMetrics.deadLettered(typeof job.params.channel === "string" ? job.params.channel : "unknown");
      return kept;
    },
    policy: { delaysMs: platform.config.INBOUND_RETRY_DELAYS_MS, maxAttempts: platform.config.INBOUND_MAX_ATTEMPTS },
    logger: platform.logger.child({ component: "channel-inbound" }),
  };
  // Only a JetStream publish waits on the event loop for its acknowledgement; the in-process queue answers at once.
  const priority = platform.config.TRANSPORTER ? createAckPriority() : undefined;

  // The job adds to its turn the wait for a busy claim and the delivery.
  const inboundJobTimeoutMs = turnTimeoutMs + 60_000;

  // Every webhook needs its bot's channel (the app secret checks the signature): read once per node
  // and kept, so acknowledging a webhook costs no database round trip. A change reaches every node
  // at once (CHANNEL_CHANGED); past the time limit a value is read again (in the background), which
  // bounds staleness should that event be missed.
  const resolvedCache = new Map<string, { value: ResolvedChannel; until: number; refreshing?: boolean }>();
  const RESOLVED_TTL_MS = 30_000;

  async function readChannel(botId: string, channel: RegisteredChannel): Promise<ResolvedChannel> {
    const rows = await sql().execute<{ tenant_id: string; config: Record<string, unknown>; sealed: string }[]>(
      `select tenant_id, config, sealed from bot_channel where bot_id = ? and channel = ?`, [botId, channel.name],
    );
    if (!rows[0]) throw new NotFoundError("CHANNEL_NOT_CONFIGURED", `The ${channel.name} channel of this bot`);
    const secret = JSON.parse(box.open(rows[0].sealed, sealedFor.botChannel(rows[0].tenant_id, botId, channel.name))) as Record<string, unknown>;
    return { tenantId: rows[0].tenant_id, botId, channel: channel.name, config: { ...rows[0].config, ...secret }, settings: channel.settings, publicUrl };
  }

  function remember(key: string, value: ResolvedChannel): ResolvedChannel {
    if (resolvedCache.size >= 10_000) resolvedCache.clear();
    resolvedCache.set(key, { value, until: Date.now() + RESOLVED_TTL_MS });
    return value;
  }

  /** A channel this node has loaded; the same answer on every node, which load the same plugins. */
  function channelOf(name: string): RegisteredChannel {
    const channel = channels.get(name);
    if (!channel) throw new NotFoundError("CHANNEL_UNKNOWN", `Channel ${JSON.stringify(name)}`);
    return channel;
  }

  /** Another tenant's bot answers exactly like a missing one. */
  async function assertBot(tenantId: string, botId: string): Promise<void> {
    await broker.call("bots.get", { tenantId, botId });
  }

  /** The URLs vendors call: PUBLIC_URL when the operator set it, else the base the admin's request came in on. */
  const baseOf = (given: string | undefined) => publicUrl ?? given ?? null;

  async function publicView({ tenantId, botId, channel }: BotChannel, baseUrl?: string) {
    const rows = await sql().execute<{ config: Record<string, unknown>; updated_at: Date }[]>(
      `select config, updated_at from bot_channel where tenant_id = ? and bot_id = ? and channel = ?`, [tenantId, botId, channel.name],
    );
    if (!rows[0]) throw new NotFoundError("CHANNEL_NOT_CONFIGURED", `The ${channel.name} channel of this bot`);
    return {
      botId, channel: channel.name, config: rows[0].config, secrets: channel.secretFields.map((name) => ({ name, set: true })),
      webhooks: webhookUrls(channel, botId, baseOf(baseUrl)), updatedAt: new Date(rows[0].updated_at).toISOString(),
    };
  }

  /** Every channel this bot has configured, secrets opened (for the admin's own actions only: never answered as such). */
  async function storedChannels(tenantId: string, botId: string, only?: RegisteredChannel): Promise<Map<string, StoredChannel>> {
    const rows = await sql().execute<{ channel: string; config: Record<string, unknown>; sealed: string; updated_at: Date }[]>(
      `select channel, config, sealed, updated_at from bot_channel where tenant_id = ? and bot_id = ?${only ? " and channel = ?" : ""}`,
      only ? [tenantId, botId, only.name] : [tenantId, botId],
    );
    return new Map(rows.map((row) => [row.channel, {
      visible: row.config,
      secret: JSON.parse(box.open(row.sealed, sealedFor.botChannel(tenantId, botId, row.channel))) as Record<string, unknown>,
      updatedAt: new Date(row.updated_at),
    }]));
  }

  const service: ServiceSchema = {
    name: "channelConfig",
    events: {
      [CHANNEL_CHANGED](ctx: Context<{ botId: string; channel: string }>) {
        resolvedCache.delete(`${ctx.params.botId}:${ctx.params.channel}`);
      },
    },
    actions: {
      /** The channels this node serves, with what a bot's configuration of each must hold. */
      list() {
        return channels.list().map((channel) => ({ plugin: channel.pluginId, ...describeChannel(channel.definition) }));
      },

      /** Every channel this node serves, as configured (or not) for one bot: what the admin's channels page shows. */
      async ofBot(ctx: Context<{ tenantId: string; botId: string; baseUrl?: string }>) {
        await assertBot(ctx.params.tenantId, ctx.params.botId);
        const stored = await storedChannels(ctx.params.tenantId, ctx.params.botId);
        const checks = await sql().execute<CheckRow[]>(
          `select channel, checked_at, connected, account, problem_code, problem_message, salt, digest from channel_check where tenant_id = ? and bot_id = ?`, [ctx.params.tenantId, ctx.params.botId],
        );
        return channels.list().map((channel) => channelOfBotView(channel, ctx.params.botId, stored.get(channel.name), baseOf(ctx.params.baseUrl),
          lastCheckOf(checks.find((c) => c.channel === channel.name), stored.get(channel.name))));
      },

      async put(ctx: Context<{ tenantId: string; botId: string; channel: string; config: unknown; baseUrl?: string }>) {
        const channel = channelOf(ctx.params.channel);
        await assertBot(ctx.params.tenantId, ctx.params.botId);
        const stored = (await storedChannels(ctx.params.tenantId, ctx.params.botId, channel)).get(channel.name);
        const { visible, secret } = splitSecrets(channel, parseChannelConfig(channel, withKeptSecrets(channel, ctx.params.config, stored)));
        await sql().execute(
          `insert into bot_channel (bot_id, tenant_id, channel, config, sealed) values (?, ?, ?, ?, ?)
           on conflict (bot_id, channel) do update set config = excluded.config, sealed = excluded.sealed, updated_at = now()
           where bot_channel.tenant_id = excluded.tenant_id`,
          [ctx.params.botId, ctx.params.tenantId, channel.name, JSON.stringify(visible), box.seal(JSON.stringify(secret), sealedFor.botChannel(ctx.params.tenantId, ctx.params.botId, channel.name))], "run",
        );
        ctx.broadcast(CHANNEL_CHANGED, { botId: ctx.params.botId, channel: channel.name });
        return publicView({ tenantId: ctx.params.tenantId, botId: ctx.params.botId, channel }, ctx.params.baseUrl);
      },

      async get(ctx: Context<{ tenantId: string; botId: string; channel: string; baseUrl?: string }>) {
        const channel = channelOf(ctx.params.channel);
        await assertBot(ctx.params.tenantId, ctx.params.botId);
        return publicView({ tenantId: ctx.params.tenantId, botId: ctx.params.botId, channel }, ctx.params.baseUrl);
      },

      /**
       * Asks the vendor, through the channel's plugin, whether credentials work: those given (a
       * secret left out is the stored one), else the stored configuration. The configuration is not
       * saved; the answer is, with a digest of the values checked: the channels page shows it while
       * the stored configuration is those values (checked, then connected; or checked once stored).
       */
      async check(ctx: Context<{ tenantId: string; botId: string; channel: string; config?: unknown }>) {
        const channel = channelOf(ctx.params.channel);
        await assertBot(ctx.params.tenantId, ctx.params.botId);
        if (!channel.checksCredentials) throw new ConflictError("CHANNEL_CHECK_UNSUPPORTED", `The ${channel.name} channel cannot check credentials`);
        const stored = (await storedChannels(ctx.params.tenantId, ctx.params.botId, channel)).get(channel.name);
        if (ctx.params.config === undefined && !stored) throw new NotFoundError("CHANNEL_NOT_CONFIGURED", `The ${channel.name} channel of this bot`);
        const candidate = ctx.params.config === undefined ? { ...stored!.visible, ...stored!.secret } : withKeptSecrets(channel, ctx.params.config, stored);
        const config = parseChannelConfig(channel, candidate);
        const answer = await ctx.call<CredentialCheck, object>(`${channel.serviceName}.checkCredentials`, { botId: ctx.params.botId, config, settings: channel.settings }, { timeout: CHECK_TIMEOUT_MS });
        const view = checkView(channel, answer);
        const { salt, digest } = configDigest(config);
        await sql().execute(
          `insert into channel_check (bot_id, tenant_id, channel, checked_at, connected, account, problem_code, problem_message, salt, digest) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           on conflict (bot_id, channel) do update set checked_at = excluded.checked_at, connected = excluded.connected, account = excluded.account,
             problem_code = excluded.problem_code, problem_message = excluded.problem_message, salt = excluded.salt, digest = excluded.digest
           where channel_check.tenant_id = excluded.tenant_id`,
          [ctx.params.botId, ctx.params.tenantId, channel.name, new Date(view.checkedAt), answer.ok, answer.ok ? answer.account.slice(0, 500) : null,
            answer.ok ? null : answer.code.slice(0, 100), answer.ok ? null : answer.reason.slice(0, 2000), salt, digest], "run",
        );
        return view;
      },

      async remove(ctx: Context<{ tenantId: string; botId: string; channel: string }>) {
        const channel = channelOf(ctx.params.channel);
        await assertBot(ctx.params.tenantId, ctx.params.botId);
        const result = await sql().execute<{ affectedRows?: number }>(
          `delete from bot_channel where tenant_id = ? and bot_id = ? and channel = ?`, [ctx.params.tenantId, ctx.params.botId, channel.name], "run",
        );
        if (!result.affectedRows) throw new NotFoundError("CHANNEL_NOT_CONFIGURED", `The ${channel.name} channel of this bot`);
        ctx.broadcast(CHANNEL_CHANGED, { botId: ctx.params.botId, channel: channel.name });
      },

      async messages(ctx: Context<{ tenantId: string; botId: string; channel: string; limit?: number }>) {
        const channel = channelOf(ctx.params.channel);
        await assertBot(ctx.params.tenantId, ctx.params.botId);
        return messages.list({ tenantId: ctx.params.tenantId, botId: ctx.params.botId, channel: channel.name, limit: ctx.params.limit ?? 50 });
      },

      /** For channel plugins only (never routed): the full configuration, secrets opened. */
      async resolve(ctx: Context<{ botId: string; channel: string }>): Promise<ResolvedChannel> {
        const channel = channelOf(ctx.params.channel);
        // A path segment that is not a uuid names no bot; asking the database would be a 500.
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ctx.params.botId)) throw new NotFoundError("BOT_NOT_FOUND", "Bot");
        const key = `${ctx.params.botId}:${channel.name}`;
        const cached = resolvedCache.get(key);
        if (!cached) return remember(key, await readChannel(ctx.params.botId, channel));
        // Past its time the value is still served, and read again behind it: a webhook never waits on the database.
        if (cached.until <= Date.now() && !cached.refreshing) {
          cached.refreshing = true;
          readChannel(ctx.params.botId, channel).then((value) => remember(key, value), () => resolvedCache.delete(key));
        }
        return cached.value;
      },

      /** Hands a verified vendor event to the durable queue; returns once the queue holds it. */
      async enqueue(ctx: Context<InboundJob>) {
        const job = { target: ctx.params.target, params: ctx.params.params, key: ctx.params.key };
        await (priority ? priority.acknowledging(() => queue.publish(job)) : queue.publish(job));
        return { queued: true };
      },

      /**
       * The queue's consumer: one vendor payload, parsed and delivered by the channel's plugin. A
       * turn may take as long as the bot's model calls (the user was acknowledged already), so
       * neither it nor this job is cut at the broker's default request timeout: a job cut short
       * would be retried while its turn still runs. Moleculer reads `timeout` off the action.
       */
      processInbound: {
        ...{ timeout: inboundJobTimeoutMs },
        async handler(ctx: Context<InboundJobParams>) {
          const channel = channelOf(ctx.params.channel);
          const resolved = await ctx.call<ResolvedChannel, object>("channelConfig.resolve", { botId: ctx.params.botId, channel: channel.name });
          return processInboundJob(broker, platform.db, messages, platform.cache.rateLimiter, channel, resolved, ctx.params, () => priority?.step(), channelMetrics, turnTimeoutMs);
        },
      },

      /** The tenant's queued channel events that failed for good, newest first (routed: GET /v1/admin/dead-letters). */
      async deadLetters(ctx: Context<{ tenantId: string; status?: "dead" | "replayed"; limit?: number }>) {
        return deadLetters.list({ tenantId: ctx.params.tenantId, ...(ctx.params.status ? { status: ctx.params.status } : {}), limit: ctx.params.limit ?? 50 });
      },

      /**
       * Puts dead letters back in the queue: one (`id`), or every one not replayed yet. The message
       * ledger still holds each message's id, so a message whose turn did run is not run twice.
       */
      async replayDeadLetters(ctx: Context<{ tenantId: string; id?: string }>) {
        const found = await deadLetters.jobs({ tenantId: ctx.params.tenantId, ...(ctx.params.id ? { id: ctx.params.id } : {}) });
        if (ctx.params.id && found.length === 0) throw new NotFoundError("DEAD_LETTER_NOT_FOUND", "Dead letter");
        const replayed = [];
        for (const { id, job } of found) {
          await queue.publish(job);
          const view = await deadLetters.markReplayed({ tenantId: ctx.params.tenantId, id });
          if (view) replayed.push(view);
        }
        return { replayed };
      },

      /**
       * Messages to a user outside their turn (a person's reply, the bot taking a conversation back),
       * through the channel plugin's `deliver`, under the sender's send rate, recorded as outbound
       * messages whose statuses the vendor's callbacks then update. A channel without `deliver`
       * (the web chat) reaches its users through their live stream instead.
       */
      async sendToUser(ctx: Context<{ tenantId: string; botId: string; channel: string; userId: string; sessionId: string; messages: Record<string, unknown>[]; input: unknown }>) {
        const channel = channels.get(ctx.params.channel);
        if (!channel?.canDeliver) return { via: "live", delivered: true };
        let resolved: ResolvedChannel;
        try {
          resolved = await ctx.call<ResolvedChannel, object>("channelConfig.resolve", { botId: ctx.params.botId, channel: channel.name });
        } catch (error) {
          return { via: "channel", delivered: false, error: error instanceof Error ? error.message : String(error) };
        }
        if (resolved.tenantId !== ctx.params.tenantId) return { via: "channel", delivered: false, error: "The channel belongs to another tenant" };
        // The user as the vendor knows them: the channel namespaces its users (`<channel>:15551234567`).
        const to = ctx.params.userId.slice(ctx.params.userId.indexOf(":") + 1);
        const sendRate = channel.definition.sendRate;
        if (sendRate) {
          const perSecond = typeof sendRate.perSecond === "function" ? sendRate.perSecond(resolved.settings) : sendRate.perSecond;
          await reserveSends(platform.cache.rateLimiter, `channel-send:${channel.name}:${String(resolved.config[sendRate.per])}`, ctx.params.messages.length, perSecond);
        }
        const reports = await broker.call<DeliveryReport[], object>(`${channel.serviceName}.deliver`, {
          botId: resolved.botId, config: resolved.config, settings: resolved.settings, to, messages: ctx.params.messages, input: ctx.params.input ?? null,
        });
        channelMetrics.delivered(channel.name, ctx.params.messages.length, reports);
        for (const report of reports) {
          await messages.recordOutbound({
            tenantId: ctx.params.tenantId, botId: ctx.params.botId, sessionId: ctx.params.sessionId, channel: channel.name, userId: ctx.params.userId,
            vendorMessageId: report.vendorMessageId, status: report.status, ...(report.error ? { error: report.error } : {}),
          });
        }
        const failed = reports.find((r) => r.status === "failed");
        return { via: "channel", delivered: reports.length > 0 && !failed, ...(failed?.error ? { error: failed.error } : {}) };
      },

      async turn(ctx: Context<ChannelTurnParams>) {
        return runChannelTurn(broker, platform.db, ctx.params);
      },

      /** For channels that cannot be pushed to (they poll): the user's session, and what was said to them after revision `after`. */
      async saidSince(ctx: Context<SaidSinceParams>) {
        return withTenantScope(platform.db, ctx.params.tenantId, (em) => saidSince(em, ctx.params));
      },

      async claimInbound(ctx: Context<{ tenantId: string; botId: string; channel: string; userId: string; vendorMessageId: string }>) {
        const state = await messages.claimInbound(ctx.params);
        return { claimed: state === "claimed", state };
      },
      async completeInbound(ctx: Context<{ channel: string; vendorMessageId: string; sessionId: string | null; status?: string }>) {
        await messages.completeInbound(ctx.params);
      },
      async releaseInbound(ctx: Context<{ channel: string; vendorMessageId: string }>) {
        await messages.releaseInbound(ctx.params);
      },
      async attachMedia(ctx: Context<{ channel: string; vendorMessageId: string; mediaType: string; mediaBase64: string }>) {
        await messages.attachMedia({ ...ctx.params, media: Buffer.from(ctx.params.mediaBase64, "base64") });
      },
      async recordOutbound(ctx: Context<{ tenantId: string; botId: string; sessionId: string | null; channel: string; userId: string; vendorMessageId: string; status: string; error?: string }>) {
        await messages.recordOutbound(ctx.params);
      },
      async updateStatus(ctx: Context<{ botId: string; channel: string; vendorMessageId: string; status: string; error?: string }>) {
        return { updated: await messages.updateStatus(ctx.params) };
      },
      async setOptOut(ctx: Context<{ botId: string; channel: string; userId: string; optedOut: boolean }>) {
        await messages.setOptOut(ctx.params);
      },
      async isOptedOut(ctx: Context<{ botId: string; channel: string; userId: string }>) {
        return { optedOut: await messages.isOptedOut(ctx.params) };
      },
    },
    created() {
      broker = this.broker;
      queue = platform.config.TRANSPORTER
        ? createJetStreamQueue(this.broker, platform.config.NAMESPACE)
        // The embedded database is one session on this event loop: two jobs keep it busy, more only wait
        // for it while making the loop (and so every acknowledgement) slower.
        : createMemoryQueue(consumer, platform.config.embeddedDatabase ? 2 : 8);
      const depth = queueDepth(platform.metrics).labels("channel_inbound");
      stopCollecting = platform.metrics.collect(async () => {
        const now = await queue.depth?.();
        if (now !== undefined) depth.set(now);
      });
    },
    async stopped() {
      stopCollecting?.();
      await queue.stop();
    },
  };
  // Only a clustered node consumes the JetStream stream; @moleculer/channels reads `channels` off the schema.
  if (platform.config.TRANSPORTER) (service as ServiceSchema & { channels: unknown }).channels = inboundChannelHandlers(consumer, () => priority?.step());
  return service;
}
