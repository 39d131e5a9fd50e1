import type { ServiceBroker } from "moleculer";
import type { RateLimiter } from "../cache/rate-limiter.ts";
import type { Database } from "../persistence/database.ts";
import { pluginServiceName } from "../plugin-host/plugin-host.ts";
import { TransientError } from "../errors/platform-error.ts";
import { CLAIM_SECONDS, type ChannelMessageStore } from "./channel-message-store.ts";
import type { ResolvedChannel } from "./channel-config.service.ts";
import { runChannelTurn } from "./channel-turn.ts";

/**
 * What a channel plugin's `parseInbound` returns for one vendor payload: the messages to turn into
 * conversation turns and the delivery statuses of messages we sent.
 */
export type InboundEvent =
  | { kind: "message"; vendorMessageId: string; from: string; text?: string; choice?: string; media?: { mimeType: string; base64: string } }
  | { kind: "status"; vendorMessageId: string; status: string; error?: string };

/** What a channel plugin's `deliver` reports for each message it sent. */
export type DeliveryReport = { vendorMessageId: string; status: string; error?: string };

export type InboundJobParams = { channel: string; botId: string; pluginId: string; payload: unknown };

/**
 * Runs one queued vendor event: the plugin parses it, each new message runs exactly one turn (the
 * ledger claims its id first), and the plugin delivers the reply. Status events only update the
 * stored outbound message.
 *
 * The claim is completed as soon as the turn is committed, before delivery: a delivery that fails
 * after its own retries is recorded as failed, and a redelivered event never runs the turn twice.
 */
export async function processInboundJob(broker: ServiceBroker, db: Database, store: ChannelMessageStore, limiter: RateLimiter, resolved: ResolvedChannel, job: InboundJobParams): Promise<{ turns: number; statuses: number }> {
  const plugin = pluginServiceName(job.pluginId);
  const pluginConfig = { config: resolved.config, endpoints: resolved.endpoints };
  const events = await broker.call<InboundEvent[], object>(`${plugin}.parseInbound`, { ...pluginConfig, payload: job.payload });
  let turns = 0;
  let statuses = 0;
  for (const event of events) {
    if (event.kind === "status") {
      if (await store.updateStatus({ botId: resolved.botId, channel: resolved.channel, vendorMessageId: event.vendorMessageId, status: event.status, error: event.error })) statuses++;
      continue;
    }
    const ids = { channel: resolved.channel, vendorMessageId: event.vendorMessageId };
    const userId = `${resolved.channel}:${event.from}`;
    if (!(await claimWhenFree(store, { tenantId: resolved.tenantId, botId: resolved.botId, userId, ...ids }))) continue;
    let reply;
    try {
      if (event.media) await store.attachMedia({ ...ids, mediaType: event.media.mimeType, media: Buffer.from(event.media.base64, "base64") });
      reply = await runChannelTurn(broker, db, { tenantId: resolved.tenantId, botId: resolved.botId, channel: resolved.channel, userId, text: event.text, choice: event.choice });
    } catch (error) {
      await store.releaseInbound(ids);
      throw error;
    }
    await store.completeInbound({ ...ids, sessionId: reply.sessionId });
    turns++;
    if (resolved.channel === "whatsapp") {
      await reserveSends(limiter, `channel-send:whatsapp:${String(resolved.config.phoneNumberId)}`, reply.messages.length, resolved.endpoints.whatsappSendPerSecond);
    }
    const reports = await broker.call<DeliveryReport[], object>(`${plugin}.deliver`, { ...pluginConfig, to: event.from, messages: reply.messages, input: reply.input ?? null });
    for (const report of reports) {
      await store.recordOutbound({ tenantId: resolved.tenantId, botId: resolved.botId, sessionId: reply.sessionId, channel: resolved.channel, userId, ...report });
    }
  }
  return { turns, statuses };
}

/**
 * Claims a message, waiting while another worker holds it: that worker may finish (then this copy
 * is a redelivery and is dropped) or may have died (then its claim expires and this copy runs the
 * turn). Acknowledging a copy while the claim is held could lose the message with its worker.
 */
async function claimWhenFree(store: ChannelMessageStore, p: Parameters<ChannelMessageStore["claimInbound"]>[0]): Promise<boolean> {
  const deadline = Date.now() + (CLAIM_SECONDS + 5) * 1000;
  for (;;) {
    const state = await store.claimInbound(p);
    if (state !== "busy") return state === "claimed";
    if (Date.now() > deadline) throw new TransientError("INBOUND_MESSAGE_BUSY", "Another worker still holds this message; it will be redelivered");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Holds one number's sends under its messages-per-second limit across every node (the limiter is
 * Redis-backed when REDIS_URL is set); the plugin also spaces sends evenly within its own node.
 */
async function reserveSends(limiter: RateLimiter, key: string, count: number, perSecond: number): Promise<void> {
  for (let sent = 0; sent < count; sent++) {
    for (;;) {
      const decision = await limiter.consume(key, perSecond, 1);
      if (decision.allowed) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, decision.retryAfterSeconds * 1000)));
    }
  }
}
