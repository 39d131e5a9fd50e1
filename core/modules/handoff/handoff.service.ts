/**
 * Human handoff, end to end: conversations wait for a person (a handoff node, the sentiment rule,
 * an agent's `request_human` tool, a user typing "agent", an agent taking one over), agents claim
 * them (one wins), answer on the conversation's own channel, keep internal notes, and hand them
 * back to the bot at a node they pick, or close them. Unclaimed ones past the bot's timeout go back
 * to the bot or get a last message. Every step is an event (conversation.handoff.*), and the
 * inbox's live feed hears every change.
 *
 * The conversation itself stays the engine's: this service asks the conversations service to
 * change it (requestHandoff, postAgentMessage, releaseHandoff, closeHandedOff) and keeps who holds
 * it here, in the `handoff` table.
 */
import type { Context, ServiceBroker, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { ConflictError, NotFoundError, isPlatformError } from "../../sdk/platform-error.ts";
import { DEFAULT_TIMEOUT_MESSAGE, HANDOFF_TIMEOUT_MINUTES } from "../../engine/bots/bot-handoff-config.ts";
import { createHandoffStore, type ConversationFilter, type Handoff, type HandoffStore } from "./handoff.store.ts";
import { HandoffErrorCode } from "./handoff-errors.ts";
import { INBOX_CHANGED, inboxFeedOf, type InboxChange, type InboxFeed } from "./inbox-feed.ts";

export type Agent = { id: string; name: string };
type Scoped = { tenantId: string; sessionId: string };

const SWEEP_EVERY_MS = 30_000;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createHandoffService(platform: PlatformContext): ServiceSchema {
  let broker: ServiceBroker;
  let feed: InboxFeed;
  let sweeper: NodeJS.Timeout | undefined;

  /** The store inside the tenant's row-level security scope. */
  const scoped = <T>(tenantId: string, work: (store: HandoffStore) => Promise<T>) =>
    withTenantScope(platform.db, tenantId, (em) => work(createHandoffStore(() => em)));
  const everyTenant = createHandoffStore(() => platform.db.orm.em.fork());

  async function sessionOf(tenantId: string, sessionId: string) {
    const session = await scoped(tenantId, (s) => s.session(tenantId, sessionId));
    if (!session) throw new NotFoundError(HandoffErrorCode.conversationNotFound, "Conversation");
    return session;
  }

  /** The open handoff `agent` may act on: waiting (anyone may), or claimed by them. */
  async function heldBy(p: Scoped, agent: Agent, mustBeClaimed: boolean): Promise<Handoff> {
    const open = await scoped(p.tenantId, (s) => s.openOf(p.tenantId, p.sessionId));
    if (!open) {
      await sessionOf(p.tenantId, p.sessionId);
      throw new ConflictError(HandoffErrorCode.notWaiting, "This conversation is not waiting for a person", { sessionId: p.sessionId });
    }
    if (open.status === "waiting" && mustBeClaimed) throw new ConflictError(HandoffErrorCode.notClaimed, "Claim this conversation before answering it", { sessionId: p.sessionId });
    if (open.claimedBy && open.claimedBy.id !== agent.id) {
      throw new ConflictError(HandoffErrorCode.claimedByOther, `${open.claimedBy.name} holds this conversation`, { sessionId: p.sessionId, claimedBy: open.claimedBy });
    }
    return open;
  }

  function emit(name: string, tenantId: string, handoff: Pick<Handoff, "botId" | "sessionId">, extra: Record<string, unknown> = {}): void {
    void broker.emit(name, { tenantId, botId: handoff.botId, sessionId: handoff.sessionId, ...extra });
  }

  async function claim(p: Scoped & { agent: Agent }): Promise<Handoff> {
    const claimed = await scoped(p.tenantId, (s) => s.claim(p.tenantId, p.sessionId, p.agent));
    if (claimed) {
      emit("conversation.handoff.claimed", p.tenantId, claimed, { agent: p.agent });
      feed.note(p.tenantId, p.sessionId, true);
      return claimed;
    }
    const open = await scoped(p.tenantId, (s) => s.openOf(p.tenantId, p.sessionId));
    if (open?.claimedBy) {
      if (open.claimedBy.id === p.agent.id) return open;
      throw new ConflictError(HandoffErrorCode.alreadyClaimed, `${open.claimedBy.name} claimed this conversation first`, { sessionId: p.sessionId, claimedBy: open.claimedBy });
    }
    await sessionOf(p.tenantId, p.sessionId);
    throw new ConflictError(HandoffErrorCode.notWaiting, "This conversation is not waiting for a person", { sessionId: p.sessionId });
  }

  /** Unclaimed conversations past their bot's timeout: back to the bot, or a last message. One node wins each. */
  async function sweep(at?: Date): Promise<number> {
    const overdue = await everyTenant.overdue(HANDOFF_TIMEOUT_MINUTES, at);
    let handled = 0;
    for (const handoff of overdue) {
      const { tenantId } = handoff;
      const won = await scoped(tenantId, (s) => s.resolve(tenantId, handoff.sessionId, "timed_out", null, "waiting"));
      if (!won) continue;
      handled++;
      const rule = handoff.rule ?? {};
      const onTimeout = rule.onTimeout === "message" ? "message" : "bot";
      emit("conversation.handoff.timed_out", tenantId, handoff, { onTimeout, waitedSince: handoff.requestedAt });
      feed.note(tenantId, handoff.sessionId, true);
      try {
        if (onTimeout === "message") {
          const message = typeof rule.timeoutMessage === "string" ? rule.timeoutMessage : DEFAULT_TIMEOUT_MESSAGE;
          await broker.call("conversations.closeHandedOff", { tenantId, sessionId: handoff.sessionId, message, reason: "handoff_timed_out" });
        } else {
          const resumeAt = typeof rule.resumeAt === "string" ? rule.resumeAt : undefined;
          await broker.call("conversations.releaseHandoff", { tenantId, sessionId: handoff.sessionId, reason: "timed_out", ...(resumeAt ? { nodeId: resumeAt } : {}) })
            .catch((error: unknown) => {
              // A resume node the current flow lacks: the bot takes it back where it waited instead.
              if (resumeAt && isPlatformError(error) && error.code === "HANDBACK_NODE_UNKNOWN") return broker.call("conversations.releaseHandoff", { tenantId, sessionId: handoff.sessionId, reason: "timed_out" });
              throw error;
            });
        }
      } catch (error) {
        platform.logger.warn({ component: "handoff", tenantId, sessionId: handoff.sessionId, err: error }, "a timed-out handoff could not be returned; the conversation stays as it was");
      }
    }
    return handled;
  }

  return {
    name: "handoff",
    events: {
      /** From the engine (handoff node, sentiment, "agent", requestHandoff) and from plugins (`request_human`). */
      async "conversation.handoff.requested"(ctx: Context<{ tenantId?: unknown; botId?: unknown; sessionId?: unknown; reason?: unknown; source?: unknown; summary?: unknown }>) {
        const { tenantId, sessionId } = ctx.params;
        if (typeof tenantId !== "string" || typeof sessionId !== "string" || !uuid.test(tenantId) || !uuid.test(sessionId)) return;
        try {
          const session = await scoped(tenantId, (s) => s.session(tenantId, sessionId));
          if (!session || session.status === "ended") return;
          const reason = typeof ctx.params.reason === "string" ? ctx.params.reason : null;
          const source = typeof ctx.params.source === "string" ? ctx.params.source : "flow";
          const summary = typeof ctx.params.summary === "string" ? ctx.params.summary.slice(0, 4000) : null;
          await scoped(tenantId, (s) => s.open(tenantId, { botId: session.botId, sessionId, channel: session.channel, reason, source, summary }));
          // A plugin's tool asked while the bot still has the conversation: it waits for a person from now on.
          if (session.status === "active") await broker.call("conversations.requestHandoff", { tenantId, sessionId, reason: reason ?? "requested", source, ...(summary ? { summary } : {}) });
          feed.note(tenantId, sessionId, true);
        } catch (error) {
          platform.logger.warn({ component: "handoff", tenantId, sessionId, err: error }, "a request for a person could not be recorded");
        }
      },
      async "conversation.session.ended"(ctx: Context<{ tenantId?: unknown; sessionId?: unknown }>) {
        const { tenantId, sessionId } = ctx.params;
        if (typeof tenantId !== "string" || typeof sessionId !== "string" || !uuid.test(tenantId) || !uuid.test(sessionId)) return;
        const closed = await scoped(tenantId, (s) => s.resolve(tenantId, sessionId, "closed", null)).catch(() => undefined);
        feed.note(tenantId, sessionId, closed !== undefined);
      },
      "conversation.session.started"(ctx: Context<{ tenantId?: unknown; sessionId?: unknown }>) {
        if (typeof ctx.params.tenantId === "string" && typeof ctx.params.sessionId === "string") feed.note(ctx.params.tenantId, ctx.params.sessionId);
      },
      "conversation.message.received"(ctx: Context<{ tenantId?: unknown; sessionId?: unknown }>) {
        if (typeof ctx.params.tenantId === "string" && typeof ctx.params.sessionId === "string") feed.note(ctx.params.tenantId, ctx.params.sessionId);
      },
      "conversation.message.sent"(ctx: Context<{ tenantId?: unknown; sessionId?: unknown }>) {
        if (typeof ctx.params.tenantId === "string" && typeof ctx.params.sessionId === "string") feed.note(ctx.params.tenantId, ctx.params.sessionId);
      },
      [INBOX_CHANGED](ctx: Context<InboxChange>) {
        feed.deliver(ctx.params);
      },
    },
    actions: {
      async conversations(ctx: Context<ConversationFilter & { tenantId: string }>) {
        const { tenantId, ...filter } = ctx.params;
        return scoped(tenantId, (s) => s.conversations(tenantId, filter));
      },

      /** One conversation as the inbox shows it: the record, transcript, handoffs, notes, and the events its turns caused. */
      async conversation(ctx: Context<Scoped & { limit?: number }>) {
        const { tenantId, sessionId } = ctx.params;
        const session = await sessionOf(tenantId, sessionId);
        const [transcript, handoffs, notes] = await scoped(tenantId, (s) => Promise.all([s.transcript(tenantId, sessionId, ctx.params.limit ?? 500), s.ofSession(tenantId, sessionId), s.notes(tenantId, sessionId)]));
        // Analytics keeps what each turn caused; a platform without it shows the transcript alone.
        const events = await broker.call<{ type: string; nodeId: string | null; at: string; data: Record<string, unknown> }[], object>("analytics.sessionEvents", { tenantId, sessionId })
          .catch(() => [] as { type: string; nodeId: string | null; at: string; data: Record<string, unknown> }[]);
        const path = events.filter((e) => e.type === "node.entered" && e.nodeId).map((e) => e.nodeId as string);
        return { ...session, transcript, handoff: handoffs.at(-1) ?? null, handoffs, notes, events, path };
      },

      async counts(ctx: Context<{ tenantId: string }>) {
        return scoped(ctx.params.tenantId, (s) => s.waitingCount(ctx.params.tenantId));
      },

      claim: (ctx: Context<Scoped & { agent: Agent }>) => claim(ctx.params),

      /** An agent takes over a conversation the bot still has: it waits for a person, and is theirs. */
      async takeOver(ctx: Context<Scoped & { agent: Agent }>) {
        const { tenantId, sessionId, agent } = ctx.params;
        const session = await sessionOf(tenantId, sessionId);
        if (session.status === "ended") throw new ConflictError(HandoffErrorCode.notWaiting, "This conversation has ended", { sessionId });
        if (session.status === "active") {
          await broker.call("conversations.requestHandoff", { tenantId, sessionId, reason: "taken_over", source: "agent" });
        }
        await scoped(tenantId, (s) => s.open(tenantId, { botId: session.botId, sessionId, channel: session.channel, reason: "taken_over", source: "agent", summary: null }));
        return claim({ tenantId, sessionId, agent });
      },

      async reply(ctx: Context<Scoped & { agent: Agent; text: string }>) {
        const { tenantId, sessionId, agent, text } = ctx.params;
        await heldBy(ctx.params, agent, true);
        const answer = await broker.call<{ message: unknown; delivery: unknown; revision: number }, object>("conversations.postAgentMessage", { tenantId, sessionId, text, agent });
        feed.note(tenantId, sessionId);
        return { message: answer.message, delivery: answer.delivery, revision: answer.revision };
      },

      async addNote(ctx: Context<Scoped & { agent: Agent; text: string }>) {
        const { tenantId, sessionId, agent, text } = ctx.params;
        const session = await sessionOf(tenantId, sessionId);
        const note = await scoped(tenantId, (s) => s.addNote(tenantId, sessionId, agent, text));
        emit("conversation.handoff.note.added", tenantId, { botId: session.botId, sessionId }, { noteId: note.id, author: agent });
        feed.note(tenantId, sessionId);
        return note;
      },

      async notes(ctx: Context<Scoped>) {
        await sessionOf(ctx.params.tenantId, ctx.params.sessionId);
        return scoped(ctx.params.tenantId, (s) => s.notes(ctx.params.tenantId, ctx.params.sessionId));
      },

      /** Hands the conversation back to the bot, at `nodeId` or where it waited; what the bot says reaches the user. */
      async release(ctx: Context<Scoped & { agent: Agent; nodeId?: string }>) {
        const { tenantId, sessionId, agent, nodeId } = ctx.params;
        await heldBy(ctx.params, agent, false);
        const answer = await broker.call<{ messages: unknown[]; status: string; delivery?: unknown }, object>("conversations.releaseHandoff", { tenantId, sessionId, ...(nodeId ? { nodeId } : {}) });
        const released = await scoped(tenantId, (s) => s.resolve(tenantId, sessionId, "released", agent.name));
        feed.note(tenantId, sessionId, true);
        return { handoff: released ?? null, status: answer.status, messages: answer.messages, delivery: answer.delivery ?? null };
      },

      /** Ends the conversation, with a last message to the user when given. */
      async close(ctx: Context<Scoped & { agent: Agent; message?: string }>) {
        const { tenantId, sessionId, agent, message } = ctx.params;
        const open = await heldBy(ctx.params, agent, false);
        // Resolved first: the session's end event must find it closed by this agent, not by nobody.
        const closed = await scoped(tenantId, (s) => s.resolve(tenantId, sessionId, "closed", agent.name));
        const ended = await broker.call<{ status: string; delivery: unknown }, object>("conversations.closeHandedOff", { tenantId, sessionId, agent, reason: "closed_by_agent", ...(message ? { message } : {}) });
        emit("conversation.handoff.closed", tenantId, open, { agent });
        feed.note(tenantId, sessionId, true);
        return { handoff: closed ?? null, status: ended.status, delivery: ended.delivery };
      },

      /** The timeout rule, now (every node runs it every 30 s; `at` lets a test look ahead). Not an HTTP route. */
      sweep: {
        visibility: "public",
        handler: (ctx: Context<{ at?: string }>) => sweep(ctx.params.at ? new Date(ctx.params.at) : undefined),
      },
    },
    created() {
      broker = this.broker;
      feed = inboxFeedOf(this.broker);
    },
    started() {
      sweeper = setInterval(() => void sweep().catch((error: unknown) => platform.logger.warn({ component: "handoff", err: error }, "the handoff timeout sweep failed; it runs again shortly")), SWEEP_EVERY_MS);
      sweeper.unref();
    },
    stopped() {
      if (sweeper) clearInterval(sweeper);
      feed.stop();
    },
  };
}
