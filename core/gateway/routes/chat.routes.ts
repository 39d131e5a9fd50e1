import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ForbiddenError } from "../../errors/platform-error.ts";
import { csrfTokenFor, type ChatReply } from "../../conversations/conversations.service.ts";
import type { RouteModule } from "../gateway-app.ts";
import { requireTenant } from "../route-auth.ts";

const sessionParams = z.strictObject({ sessionId: z.uuid() });
const tags = ["chat"];
const security = [{ widgetKey: [] }];
const auth = { auth: "widget" as const };

/**
 * The web chat API that the widget (and any client) speaks. A message reply is JSON, or, when the
 * client sends `Accept: text/event-stream`, a stream of `typing` and `message` events and a final
 * `done` event carrying the input the bot now waits for.
 */
export const chatRoutes: RouteModule = (app, { broker, platform }) => {
  /** Browsers that send cookies must also send the session's CSRF token; header-only clients need not. */
  function checkCsrf(request: FastifyRequest, sessionId: string): void {
    if (!request.headers.cookie) return;
    if (request.headers["x-csrf-token"] !== csrfTokenFor(platform.operatorKeyHash, sessionId)) {
      throw new ForbiddenError("Send the session's CSRF token in x-csrf-token", "CSRF_TOKEN_INVALID");
    }
  }

  app.post("/v1/chat/sessions", {
    config: auth,
    schema: {
      tags, security, summary: "Start a conversation",
      body: z.strictObject({
        botId: z.uuid(),
        userId: z.string().min(1).max(200).optional(),
        context: z.strictObject({ locale: z.string().max(35).optional(), metadata: z.record(z.string(), z.union([z.string().max(500), z.number(), z.boolean()])).optional() }).optional(),
      }),
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
      tags, security, params: sessionParams, summary: "Send a message (JSON reply, or Server-Sent Events with Accept: text/event-stream)",
      // Length is checked by the runtime, which answers 413 MESSAGE_TOO_LONG with the limit.
      body: z.union([z.strictObject({ text: z.string().min(1) }), z.strictObject({ choice: z.string().min(1).max(200) })]),
    },
  }, async (request, reply) => {
    const tenantId = requireTenant(request).tenantId;
    checkCsrf(request, request.params.sessionId);
    const answer = await broker.call<ChatReply, Record<string, unknown>>("conversations.message", { tenantId, sessionId: request.params.sessionId, ...request.body });
    if ((request.headers.accept ?? "").includes("text/event-stream")) return stream(reply, answer);
    return { messages: answer.messages, input: answer.input ?? null, status: answer.status, revision: answer.revision, ctas: answer.ctas };
  });

  app.get("/v1/chat/sessions/:sessionId", { config: auth, schema: { tags, security, params: sessionParams } },
    async (request) => broker.call("conversations.get", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId }));

  app.get("/v1/chat/sessions/:sessionId/history", {
    config: auth,
    schema: { tags, security, params: sessionParams, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional() }) },
  }, async (request) => ({ messages: await broker.call("conversations.history", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, limit: request.query.limit }) }));

  app.post("/v1/chat/sessions/:sessionId/end", { config: auth, schema: { tags, security, params: sessionParams } }, async (request) => {
    checkCsrf(request, request.params.sessionId);
    return broker.call("conversations.end", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId });
  });

  app.post("/chat", {
    config: auth,
    schema: {
      tags, security, summary: "The simple form: one call per message, the caller names the session",
      body: z.strictObject({ business_id: z.uuid(), session_id: z.string().min(1).max(200), message: z.string() }),
    },
  }, async (request) => broker.call("conversations.chat", {
    tenantId: requireTenant(request).tenantId, botId: request.body.business_id, externalSessionId: request.body.session_id, message: request.body.message,
  }));
};

const MAX_TYPING_MS = 3000;

/**
 * Writes a turn as Server-Sent Events: each message preceded by a typing event and its typing
 * delay (capped), then `done`. The turn is already committed, so a client that goes away loses nothing.
 */
async function stream(reply: FastifyReply, answer: ChatReply): Promise<FastifyReply> {
  const headers = { ...reply.getHeaders(), "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" };
  reply.hijack();
  reply.raw.writeHead(200, headers as Record<string, string>);
  const send = (event: string, data: unknown) => reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  for (const { delayMs, ...message } of answer.messages as (ChatReply["messages"][number] & { delayMs?: number })[]) {
    send("typing", {});
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, MAX_TYPING_MS)));
    if (reply.raw.destroyed) return reply;
    send("message", message);
  }
  send("done", { input: answer.input ?? null, status: answer.status, revision: answer.revision, ctas: answer.ctas });
  reply.raw.end();
  return reply;
}
