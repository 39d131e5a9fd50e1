import { createHash } from "node:crypto";
import type { ServiceBroker } from "moleculer";
import type { RateLimiter } from "../../kernel/cache/rate-limiter.ts";
import type { Database } from "../../kernel/persistence/database.ts";
import type { DeliveryReport, InboundEvent } from "../../sdk/channel.ts";
import { TransientError } from "../../sdk/platform-error.ts";
import { CLAIM_SECONDS, LEASE_RENEW_MS, LEASE_SECONDS, type ChannelMessageStore, type ClaimParams, type CommittedTurn, type ReplyState } from "./channel-message-store.ts";
import type { RegisteredChannel, ResolvedChannel } from "./channel-registry.ts";
import { runChannelTurn, type OpenSession } from "./channel-turn.ts";
import type { ChannelMetrics } from "./channel-metrics.ts";

export type { DeliveryReport, InboundEvent };

/** A verified vendor payload a channel's route queued; the channel's `parseInbound` reads it. */
export type InboundJobParams = { channel: string; botId: string; payload: unknown };

/**
 * Runs one queued vendor event: the plugin parses it, each new message runs exactly one turn (the
 * ledger claims its id first), and the plugin delivers the reply. Status events only update the
 * stored outbound message.
 *
 * The claim is held (and renewed) until the reply is delivered. A worker that dies anywhere on the
 * way leaves its claim to expire; the queue's redelivery then takes it over and finds in the history
 * whether the turn was committed: if so it sends that turn's reply instead of running it again. A
 * delivery that fails after its own retries is recorded as failed and not retried.
 */
export async function processInboundJob(broker: ServiceBroker, db: Database, store: ChannelMessageStore, limiter: RateLimiter, channel: RegisteredChannel, resolved: ResolvedChannel, job: InboundJobParams, step: () => Promise<void> | undefined = () => undefined, metrics?: ChannelMetrics, timeoutMs = DEFAULT_TURN_TIMEOUT_MS): Promise<{ turns: number; statuses: number }> {
  // A turn (the model, tools) and a send (paced, retried) may outlast the broker's request timeout;
  // cut there, the call would fail while its work went on, and the redelivery would run it again.
  const long = { timeout: timeoutMs };
  const plugin = channel.serviceName;
  const pluginConfig = { botId: resolved.botId, config: resolved.config, settings: resolved.settings };
  const sendRate = sendRateOf(channel, resolved);
  const oneOpenPerUser = channel.definition.oneOpenSessionPerUser === true;
  await step();
  const events = await broker.call<InboundEvent[], object>(`${plugin}.parseInbound`, { ...pluginConfig, payload: job.payload }, long);
  let turns = 0;
  let statuses = 0;
  for (const event of events) {
    if (event.kind === "status") {
      if (await store.updateStatus({ botId: resolved.botId, channel: resolved.channel, vendorMessageId: event.vendorMessageId, status: event.status, error: event.error })) statuses++;
      continue;
    }
    const ids = { channel: resolved.channel, vendorMessageId: event.vendorMessageId };
    // The ledger is the plugin's (`channel`); the conversation may be recorded under another name (`sessionChannel`).
    const sessionChannel = event.sessionChannel ?? resolved.channel;
    const user = { tenantId: resolved.tenantId, botId: resolved.botId, channel: resolved.channel, userId: `${sessionChannel}:${event.from}`, sessionChannel };
    await step();
    const claim = await claimWhenFree(store, { ...user, ...ids, leaseSeconds: LEASE_SECONDS, withOpenSession: true });
    if (claim.state === "done") continue;
    const renewal = setInterval(() => void store.renewInbound({ ...ids, leaseSeconds: LEASE_SECONDS }).catch(() => {}), LEASE_RENEW_MS);
    try {
      let turn: (CommittedTurn & { input?: unknown }) | undefined = claim.takeover ? await store.committedTurn({ ...user, since: claim.since!, ref: event.vendorMessageId, text: event.text, choice: event.choice }) : undefined;
      if (!turn) {
        if (event.media) await store.attachMedia({ ...ids, mediaType: event.media.mimeType, media: Buffer.from(event.media.base64, "base64") });
        // The open session read with the claim is current unless a takeover's checks came between.
        const open = claim.takeover || event.media ? undefined : claim.open;
        await step();
        // A person's later replies go out through this plugin even when the conversation is recorded under another name.
        const context = sessionChannel === resolved.channel ? undefined : { replyChannel: resolved.channel };
        const reply = await runChannelTurn(broker, db, {
          tenantId: user.tenantId, botId: user.botId, channel: sessionChannel, userId: user.userId, text: event.text, choice: event.choice, ref: event.vendorMessageId, oneOpenPerUser,
          ...(context ? { context } : {}), timeoutMs,
        }, open, long);
        turn = { sessionId: reply.sessionId, messages: reply.messages, delivered: false, input: reply.input };
        turns++;
      }
      let reports: DeliveryReport[] = [];
      let reply: { state: "sent" | "unknown"; error?: string } | undefined;
      if (!turn.delivered && turn.messages.length > 0 && (claim.replyState === "sending" || claim.replyState === "unknown")) {
        // An earlier holder asked the channel to send this reply and never heard how it ended: the
        // vendor may have it (there is no idempotency key to ask with), so it is not sent twice.
        reply = { state: "unknown", error: REPLY_UNKNOWN };
        metrics?.unknownOutcome(resolved.channel, turn.messages.length);
        broker.logger.warn({ channel: resolved.channel, vendorMessageId: event.vendorMessageId, botId: resolved.botId }, "a reply's earlier send ended without an answer; not sent again");
      } else if (!turn.delivered && turn.messages.length > 0) {
        if (sendRate) await reserveSends(limiter, sendRate.key, turn.messages.length, sendRate.perSecond);
        await step();
        await store.markReply({ ...ids, state: "sending", hash: replyHash(event.from, turn.messages) });
        try {
          reports = await broker.call<DeliveryReport[], object>(`${plugin}.deliver`, { ...pluginConfig, to: event.from, messages: turn.messages, input: turn.input ?? null, ...(event.replyOptions ? { replyOptions: event.replyOptions } : {}) }, long);
          metrics?.delivered(resolved.channel, turn.messages.length, reports);
          reply = { state: "sent" };
        } catch (error) {
          metrics?.delivered(resolved.channel, turn.messages.length, undefined);
          // A call that never reached the channel sent nothing: the retry may send it.
          if (neverReached(error)) await store.markReply({ ...ids, state: null }).catch(() => {});
          throw error;
        }
      }
      await step();
      await store.completeWithOutbound({ ...user, ...ids, sessionId: turn.sessionId, reports, ...(reply ? { reply } : {}) });
    } catch (error) {
      // Given back at once, so the queue's redelivery takes it over (and finds the turn if it was committed).
      await store.releaseInbound(ids).catch(() => {});
      throw error;
    } finally {
      clearInterval(renewal);
    }
  }
  return { turns, statuses };
}

/** A turn's time limit when the caller names none (INBOUND_TURN_TIMEOUT_MS). */
export const DEFAULT_TURN_TIMEOUT_MS = 600_000;

const REPLY_UNKNOWN = "The reply's earlier send was cut off before the channel answered; it was not sent again";

/** What a reply's send is recorded by: whom it went to and what it said. */
function replyHash(to: string, messages: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify({ to, messages })).digest("hex");
}

/** Moleculer's errors for a call no handler took (no node offers the action now). */
function neverReached(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === "SERVICE_NOT_FOUND" || type === "SERVICE_NOT_AVAILABLE";
}

/**
 * Claims a message, waiting while another worker holds it: that worker may finish (then this copy
 * is a redelivery and is dropped) or may have died (then its claim expires and this copy takes it
 * over). Acknowledging a copy while the claim is held could lose the message with its worker.
 */
async function claimWhenFree(store: ChannelMessageStore, p: ClaimParams): Promise<{ state: "claimed" | "done"; takeover: boolean; since?: Date; open?: OpenSession | null; replyState?: ReplyState | null }> {
  const deadline = Date.now() + ((p.leaseSeconds ?? CLAIM_SECONDS) + 5) * 1000;
  for (;;) {
    const claim = await store.claim(p);
    if (claim.state !== "busy") return { ...claim, state: claim.state };
    if (Date.now() > deadline) throw new TransientError("INBOUND_MESSAGE_BUSY", "Another worker still holds this message; it will be redelivered");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The channel's declared send rate for this bot's sender (`sendRate.per` names the config field), if it has one. */
function sendRateOf(channel: RegisteredChannel, resolved: ResolvedChannel): { key: string; perSecond: number } | undefined {
  const rate = channel.definition.sendRate;
  if (!rate) return undefined;
  const perSecond = typeof rate.perSecond === "function" ? rate.perSecond(resolved.settings) : rate.perSecond;
  return { key: `channel-send:${channel.name}:${String(resolved.config[rate.per])}`, perSecond };
}

/**
 * Holds one sender's sends under its messages-per-second limit across every node (the limiter is
 * Redis-backed when REDIS_URL is set); the plugin also spaces sends evenly within its own node.
 */
export async function reserveSends(limiter: RateLimiter, key: string, count: number, perSecond: number): Promise<void> {
  for (let sent = 0; sent < count; sent++) {
    for (;;) {
      const decision = await limiter.consume(key, perSecond, 1);
      if (decision.allowed) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, decision.retryAfterSeconds * 1000)));
    }
  }
}
