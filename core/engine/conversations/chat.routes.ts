import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ForbiddenError } from "../../sdk/platform-error.ts";
import { csrfTokenFor, type ChatReply } from "./conversations.service.ts";
import { listenTurnStream } from "../../kernel/broker/turn-stream.ts";
import { toHttpError } from "../../kernel/gateway/http-error.ts";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { ConversationErrorCode } from "./conversation-errors.ts";
import { apiError } from "../../kernel/gateway/openapi.ts";
import { historyEntrySchema, sessionStateSchema, startedAnswerSchema, turnAnswerSchema, turnEventsDescription } from "./chat-answers.ts";
import { liveSessionsOf } from "./live-sessions.ts";
import { tenantAdmission } from "../../kernel/gateway/tenant-admission.ts";

/** A comment line now and then keeps proxies from closing a quiet live stream. */
const KEEPALIVE_MS = 20_000;

const sessionParams = z.strictObject({ sessionId: z.uuid() });
const tags = ["chat"];
const auth = { auth: "widget" as const };
const ended = apiError("The conversation has ended (SESSION_ENDED), or another turn changed it first (REVISION_CONFLICT; send again)");

/**
 * The web chat API that the widget (and any client) speaks. A message reply is JSON, or, when the
 * client sends `Accept: text/event-stream`, Server-Sent Events: while the turn runs, `delta`
 * events (`{ index, text }`: an LLM's tokens, a draft of the turn's message number `index`) and
 * `reset` events (`{ index }`, or `{}` for every draft: throw that draft away); once the turn has
 * committed, `typing` and `message` events (a message replaces the draft of its index) and a final
 * `done` carrying the input the bot now waits for. Drafts are provisional: only messages are
 * stored. A failure after the first event arrives as an `error` event (`{ error: { code, message } }`).
 */
export const chatRoutes: RouteModule = (app, { broker, platform }) => {
  /** Browsers that send cookies must also send the session's CSRF token; header-only clients need not. */
  function checkCsrf(request: FastifyRequest, sessionId: string): void {
    if (!request.headers.cookie) return;
    if (request.headers["x-csrf-token"] !== csrfTokenFor(platform.operatorKeyHash, sessionId)) {
      throw new ForbiddenError(ConversationErrorCode.csrfTokenInvalid, "Send the session's CSRF token in x-csrf-token");
    }
  }

  // Per tenant, before the body is read: a burst of session starts is refused (429), not queued behind everyone's chats.
  const admitSessionStart = tenantAdmission(platform.cache.rateLimiter, {
    name: "session-start",
    perMinute: (principal) => principal.tier === "paid" ? platform.config.CHAT_SESSION_STARTS_PAID_PER_MINUTE : platform.config.CHAT_SESSION_STARTS_FREE_PER_MINUTE,
    maxInFlight: platform.config.CHAT_SESSION_STARTS_IN_FLIGHT,
    rateLimited: { code: ConversationErrorCode.sessionStartRateLimited, message: (n) => `This tenant may start ${n} conversations a minute` },
    busy: { code: ConversationErrorCode.sessionStartBusy, message: (n) => `This tenant has ${n} conversations starting at once, as many as it may; try again shortly` },
  });

  app.post("/v1/chat/sessions", {
    config: auth,
    onRequest: admitSessionStart,
    schema: {
      tags, summary: "Start a conversation",
      body: z.strictObject({
        botId: z.uuid(),
        userId: z.string().min(1).max(200).optional(),
        context: z.strictObject({ locale: z.string().max(35).optional(), metadata: z.record(z.string(), z.union([z.string().max(500), z.number(), z.boolean()])).optional() }).optional(),
      }),
      response: { 201: startedAnswerSchema, 429: apiError("Too many conversations started this minute (SESSION_START_RATE_LIMITED) or at once (SESSION_START_BUSY) by this tenant; wait for Retry-After") },
    },
  }, async (request, reply) => {
    const tenantId = requireTenant(request).tenantId;
    const { botId, userId, context } = request.body;
    const started = await broker.call<ChatReply & { csrfToken: string }, Record<string, unknown>>("conversations.start", {
      tenantId, botId, userId, channel: "web", context: { locale: context?.locale, ...context?.metadata, channel: "web" },
    });
    return reply.code(201).send({ ...started, input: started.input ?? null });
  });

  app.post("/v1/chat/sessions/:sessionId/messages", {
    config: auth,
    schema: {
      tags, params: sessionParams, summary: "Send a message (JSON reply, or Server-Sent Events with Accept: text/event-stream)",
      // Length is checked by the runtime, which answers 413 MESSAGE_TOO_LONG with the limit.
      body: z.union([z.strictObject({ text: z.string().min(1) }), z.strictObject({ choice: z.string().min(1).max(200) })]),
      headers: z.looseObject({ accept: z.string().optional().describe("text/event-stream for Server-Sent Events; anything else for JSON") }),
      response: {
        200: {
          description: "The turn: JSON, or Server-Sent Events when the request accepts text/event-stream",
          content: { "application/json": { schema: turnAnswerSchema }, "text/event-stream": { schema: z.string().describe(turnEventsDescription) } },
        },
        409: ended,
        413: apiError("The message is longer than the platform allows (MESSAGE_TOO_LONG)"),
      },
    },
  }, async (request, reply) => {
    const tenantId = requireTenant(request).tenantId;
    checkCsrf(request, request.params.sessionId);
    const params = { tenantId, sessionId: request.params.sessionId, ...request.body };
    if (!(request.headers.accept ?? "").includes("text/event-stream")) {
      const answer = await broker.call<ChatReply, Record<string, unknown>>("conversations.message", params);
      return { messages: answer.messages, input: answer.input ?? null, status: answer.status, revision: answer.revision, ctas: answer.ctas };
    }
    // The turn may run on another node: it sends its drafts back to this one (turn-stream.ts).
    const events = openEvents(reply);
    const drafted = new Set<number>();
    const live = listenTurnStream(broker, (event) => {
      if (event.type === "delta") {
        drafted.add(event.index);
        events.send("delta", { index: event.index, text: event.text });
      } else {
        // Nothing to drop: say nothing (the stream stays unopened, so a later failure is still a status).
        if (event.index === undefined ? drafted.size === 0 : !drafted.has(event.index)) return;
        if (event.index === undefined) drafted.clear();
        else drafted.delete(event.index);
        events.send("reset", event.index === undefined ? {} : { index: event.index });
      }
    });
    let answer: ChatReply;
    try {
      answer = await broker.call<ChatReply, Record<string, unknown>>("conversations.message", params, { meta: { stream: live.handle } });
    } catch (error) {
      // Before any event the client gets a plain HTTP error (409, 429…), as without streaming.
      if (!events.opened) throw error;
      const failure = toHttpError(error);
      if (failure.unexpected) request.log.error({ err: error, reqId: request.id, tenantId }, "unexpected error");
      events.send("error", failure.body);
      events.end();
      return reply;
    } finally {
      live.close();
    }
    await playTurn(events, answer, drafted);
    return reply;
  });

  app.get("/v1/chat/sessions/:sessionId", { config: auth, schema: { tags, params: sessionParams, summary: "A conversation's state", response: { 200: sessionStateSchema } } },
    async (request) => broker.call("conversations.get", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId }));

  app.get("/v1/chat/sessions/:sessionId/live", {
    config: auth,
    schema: {
      tags, params: sessionParams,
      summary: "Follow a conversation live: messages that reach it outside the user's own turns (a person of the business answering, the bot taking it back)",
      response: {
        200: {
          description: "Server-Sent Events until the client goes away",
          content: { "text/event-stream": { schema: z.string().describe("`state` { status, revision } at once, then `message` for each pushed message ({ type, text, agent? }) and `state` { status, input, revision } after them") } },
        },
      },
    },
  }, async (request, reply) => {
    const tenantId = requireTenant(request).tenantId;
    // Another tenant's session, or none, answers 404 before the stream opens.
    const state = await broker.call<{ status: string; revision: number }, object>("conversations.get", { tenantId, sessionId: request.params.sessionId });
    const events = openEvents(reply);
    events.send("state", { status: state.status, revision: state.revision });
    const stop = liveSessionsOf(broker).subscribe(request.params.sessionId, (pushed) => {
      if (pushed.tenantId !== tenantId) return;
      for (const message of pushed.messages) events.send("message", message);
      events.send("state", { status: pushed.status, input: pushed.input, revision: pushed.revision });
    });
    const keepalive = setInterval(() => { if (!reply.raw.destroyed) reply.raw.write(": keepalive\n\n"); }, KEEPALIVE_MS);
    request.raw.once("close", () => {
      clearInterval(keepalive);
      stop();
    });
    return reply;
  });

  app.get("/v1/chat/sessions/:sessionId/history", {
    config: auth,
    schema: { tags, params: sessionParams, summary: "A conversation's messages, oldest first", querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional() }), response: { 200: z.object({ messages: z.array(historyEntrySchema) }) } },
  }, async (request) => ({ messages: await broker.call<z.infer<typeof historyEntrySchema>[], object>("conversations.history", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, limit: request.query.limit }) }));

  app.post("/v1/chat/sessions/:sessionId/end", { config: auth, schema: { tags, params: sessionParams, summary: "End a conversation", response: { 200: sessionStateSchema, 409: ended } } }, async (request) => {
    checkCsrf(request, request.params.sessionId);
    return broker.call("conversations.end", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId });
  });

  app.post("/chat", {
    config: auth,
    schema: {
      tags, summary: "The simple form: one call per message, the caller names the session",
      body: z.strictObject({ business_id: z.uuid(), session_id: z.string().min(1).max(200), message: z.string() }),
      response: {
        200: z.looseObject({
          response: z.string().describe("The bot's messages as one text"),
          ctas: z.array(z.looseObject({ id: z.string(), label: z.string(), url: z.string().optional() })),
          session_id: z.string(),
          status: z.string(),
        }),
        409: ended,
      },
    },
  }, async (request) => broker.call("conversations.chat", {
    tenantId: requireTenant(request).tenantId, botId: request.body.business_id, externalSessionId: request.body.session_id, message: request.body.message,
  }));
};

const MAX_TYPING_MS = 3000;

type EventWriter = { readonly opened: boolean; send(event: string, data: unknown): void; end(): void };

/**
 * A Server-Sent Events response, opened at its first event: until then the route can still answer
 * with a status. Writes after the client went away are dropped (the turn goes on and commits).
 */
function openEvents(reply: FastifyReply): EventWriter {
  let opened = false;
  const open = () => {
    if (opened) return;
    opened = true;
    const headers = { ...reply.getHeaders(), "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" };
    reply.hijack();
    reply.raw.writeHead(200, headers as Record<string, string>);
  };
  return {
    get opened() { return opened; },
    send(event, data) {
      open();
      if (!reply.raw.destroyed) reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      open();
      reply.raw.end();
    },
  };
}

/**
 * Writes a committed turn: each message preceded by a typing event and its typing delay (capped),
 * except a message whose draft the client already shows, then `done`. The turn is already
 * committed, so a client that goes away loses nothing.
 */
async function playTurn(events: EventWriter, answer: ChatReply, drafted: ReadonlySet<number>): Promise<void> {
  const messages = answer.messages as (ChatReply["messages"][number] & { delayMs?: number })[];
  for (const [index, { delayMs, ...message }] of messages.entries()) {
    if (!drafted.has(index)) {
      events.send("typing", {});
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, MAX_TYPING_MS)));
    }
    events.send("message", message);
  }
  events.send("done", { input: answer.input ?? null, status: answer.status, revision: answer.revision, ctas: answer.ctas });
  events.end();
}
