import { z } from "zod";
import { NotFoundError } from "../../sdk/platform-error.ts";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import type { ChatReply } from "./conversations.service.ts";
import { apiError } from "../../kernel/gateway/openapi.ts";
import { testTurnSchema } from "./chat-answers.ts";

const tags = ["bots"];
const auth = { auth: "tenant-admin" as const };

/** What the console's test panel sees of a turn: the messages, what the bot waits for, and where it is. */
function turnView(reply: ChatReply & { flowVersion?: string }) {
  return { sessionId: reply.sessionId, messages: reply.messages, input: reply.input ?? null, status: reply.status, revision: reply.revision, atNode: reply.atNode, changed: reply.changed ?? [] };
}

/**
 * Conversations with a bot's draft, for its authors (the console's test panel): the draft is
 * validated and snapshotted (bots.testVersion), then the session runs like any other, on the
 * `test` channel, under the tenant's limits.
 */
// A conversation with the draft changes nothing of the tenant's: the audit log leaves it out (audit: false).
export const testSessionRoutes: RouteModule = (app, { broker }) => {
  app.post("/v1/admin/bots/:botId/test-sessions", {
    config: { ...auth, audit: false },
    schema: { tags, params: z.strictObject({ botId: z.uuid() }), summary: "Start a test conversation with the bot's draft (422 FLOW_INVALID when the draft has problems)", response: { 201: testTurnSchema, 422: apiError("The draft has problems (FLOW_INVALID with details)") } },
  }, async (request, reply) => {
    const tenantId = requireTenant(request).tenantId;
    const { version } = await broker.call<{ version: number }, object>("bots.testVersion", { tenantId, botId: request.params.botId });
    const started = await broker.call<ChatReply, object>("conversations.start", { tenantId, botId: request.params.botId, channel: "test", version, userId: `test:${crypto.randomUUID()}`, reportChanges: true });
    return reply.code(201).send(turnView(started));
  });

  app.post("/v1/admin/test-sessions/:sessionId/messages", {
    config: { ...auth, audit: false },
    schema: {
      tags, params: z.strictObject({ sessionId: z.uuid() }), summary: "Answer in a test conversation",
      body: z.union([z.strictObject({ text: z.string().min(1) }), z.strictObject({ choice: z.string().min(1).max(200) })]),
      response: { 200: testTurnSchema, 409: apiError("The conversation has ended (SESSION_ENDED) or changed meanwhile (REVISION_CONFLICT)") },
    },
  }, async (request) => {
    const tenantId = requireTenant(request).tenantId;
    // Only the tenant's own test conversations: an end user's conversation is theirs to answer.
    const session = await broker.call<{ channel: string }, object>("conversations.get", { tenantId, sessionId: request.params.sessionId });
    if (session.channel !== "test") throw new NotFoundError("TEST_SESSION_NOT_FOUND", "Test conversation");
    return turnView(await broker.call<ChatReply, object>("conversations.message", { tenantId, sessionId: request.params.sessionId, ...request.body, reportChanges: true }));
  });
};
