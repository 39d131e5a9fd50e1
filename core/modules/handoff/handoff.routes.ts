import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { apiError } from "../../kernel/gateway/openapi.ts";
import { leastRoleFor } from "../../kernel/tenancy/permissions.ts";
import { roleAtLeast } from "../../kernel/tenancy/roles.ts";
import { ValidationError } from "../../sdk/platform-error.ts";
import type { Agent } from "./handoff.service.ts";
import { inboxFeedOf } from "./inbox-feed.ts";

const tags = ["conversations"];
const auth = { auth: "tenant-admin" as const };
const sessionParams = z.strictObject({ sessionId: z.uuid() });
const flag = z.enum(["true", "false"]).transform((v) => v === "true");
const KEEPALIVE_MS = 20_000;

/** An outside helpdesk calling with a key names the person acting; a signed-in member is themself. */
const namedAgent = z.strictObject({
  id: z.string().trim().min(1).max(100).describe("The helpdesk's own id of its agent"),
  name: z.string().trim().min(1).max(100).describe("Shown to the user beside the agent's messages"),
}).optional().describe("For API keys: the helpdesk agent acting (a signed-in person acts as themself)");

const agentView = z.looseObject({ id: z.string(), name: z.string() });
const handoffView = z.looseObject({
  id: z.uuid(), status: z.enum(["waiting", "claimed", "released", "closed", "timed_out"]), reason: z.string().nullable(),
  requestedAt: z.string(), claimedBy: agentView.nullable(),
}).describe("A time the conversation was handed to people: waiting, claimed by an agent, or how it ended");
const noteView = z.looseObject({ id: z.uuid(), sessionId: z.uuid(), author: agentView, text: z.string(), createdAt: z.string() }).describe("An internal note: agents see it, the user never does");
const deliveryView = z.looseObject({ via: z.enum(["live", "channel"]), delivered: z.boolean(), error: z.string().optional() })
  .describe("How the message reached the user: `live` (the web chat's stream and history) or `channel` (the vendor's API, through the channel plugin), and whether the vendor took it");
const summaryView = z.looseObject({
  sessionId: z.uuid(), botId: z.uuid(), botName: z.string(), userId: z.string(), channel: z.string(), status: z.string(),
  startedAt: z.string(), updatedAt: z.string(),
  lastMessage: z.looseObject({ direction: z.string(), text: z.string(), at: z.string() }).nullable(),
  handoff: handoffView.nullable().describe("The open handoff (waiting or claimed), if any"),
}).describe("A conversation in the inbox's list");
const detailView = summaryView.omit({ lastMessage: true }).extend({
  handoff: handoffView.nullable().describe("The latest handoff (open or ended), if any"),
  flowVersion: z.string(),
  variables: z.record(z.string(), z.unknown()).describe("The session's variables by scope (user, session, context…)"),
  position: z.looseObject({ nodeId: z.string().nullable() }).describe("The node the conversation waits at"),
  endedAt: z.string().nullable(),
  transcript: z.array(z.looseObject({ direction: z.enum(["inbound", "outbound"]), nodeId: z.string().nullable(), at: z.string(), revision: z.number().int(), message: z.record(z.string(), z.unknown()) })),
  handoffs: z.array(handoffView),
  notes: z.array(noteView),
  events: z.array(z.looseObject({ type: z.string(), nodeId: z.string().nullable(), at: z.string(), data: z.record(z.string(), z.unknown()) })).describe("What the turns caused (nodes entered and left, webhooks, tools…), oldest first"),
  path: z.array(z.string()).describe("The nodes the conversation went through, in order"),
}).describe("A conversation with its transcript, variables, path through the flow, events, handoffs and notes");
const notWaiting = "The conversation is not waiting for a person (HANDOFF_NOT_WAITING), another agent claimed it first (HANDOFF_ALREADY_CLAIMED) or holds it (HANDOFF_CLAIMED_BY_OTHER), or it was not claimed yet (HANDOFF_NOT_CLAIMED)";

/**
 * The inbox: a tenant's conversations across channels, live, and human handoff end to end (claim,
 * answer, notes, hand back, close). Agents act through these routes from the console, and outside
 * helpdesks through the same routes with a key.
 */
export const handoffRoutes: RouteModule = (app, { broker }) => {
  async function agentOf(request: FastifyRequest, named: { id: string; name: string } | undefined): Promise<Agent> {
    const principal = requireTenant(request);
    if (principal.kind === "member") {
      if (named) throw new ValidationError("AGENT_NOT_NAMEABLE", "A signed-in person acts as themself; `agent` is for API keys");
      const members = await broker.call<{ userId: string; email: string; name: string | null }[], object>("people.listMembers", { tenantId: principal.tenantId });
      const me = members.find((m) => m.userId === principal.userId);
      return { id: `user:${principal.userId}`, name: me?.name ?? me?.email ?? "Agent" };
    }
    return named ? { id: `key:${named.id}`, name: named.name } : { id: "key", name: "API" };
  }

  app.get("/v1/admin/conversations", {
    config: auth,
    schema: {
      tags, summary: "The tenant's conversations across bots and channels, most recently active first",
      querystring: z.strictObject({
        botId: z.uuid().optional(),
        channel: z.string().max(50).optional().describe("The channel's name, as the conversation records it (web, api, or a channel plugin's)"),
        status: z.enum(["active", "waiting_human", "ended"]).optional(),
        waiting: flag.optional().describe("true: only those waiting for a person (claimed or not)"),
        mine: flag.optional().describe("true: only those the caller claimed"),
        from: z.iso.datetime({ offset: true }).optional().describe("Active at or after this instant"),
        to: z.iso.datetime({ offset: true }).optional().describe("Started before this instant"),
        q: z.string().trim().min(1).max(200).optional().describe("Words in the messages or the user's id"),
        before: z.iso.datetime({ offset: true }).optional().describe("Paging: active before this instant (the last item's updatedAt)"),
        limit: z.coerce.number().int().min(1).max(200).optional(),
      }),
      response: { 200: z.object({ conversations: z.array(summaryView) }) },
    },
  }, async (request) => {
    const { tenantId } = requireTenant(request);
    const q = request.query;
    const claimedBy = q.mine ? (await agentOf(request, undefined)).id : undefined;
    const conversations = await broker.call<z.infer<typeof summaryView>[], object>("handoff.conversations", {
      tenantId, botId: q.botId, channel: q.channel, status: q.status, waiting: q.waiting, claimedBy, q: q.q, limit: q.limit ?? 50,
      ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}), ...(q.before ? { before: new Date(q.before) } : {}),
    });
    return { conversations };
  });

  app.get("/v1/admin/conversations/counts", {
    config: auth,
    schema: { tags, summary: "How many conversations wait for a person (the inbox badge)", response: { 200: z.looseObject({ waiting: z.number().int(), claimed: z.number().int() }) } },
  }, async (request) => broker.call("handoff.counts", { tenantId: requireTenant(request).tenantId }));

  app.get("/v1/admin/conversations/agent", {
    config: auth,
    schema: {
      tags, summary: "Who the caller is in the inbox: the agent they act as (as claims and replies name them) and whether their role may act",
      description: "The console shows claim, reply, note, hand back and close only when `mayAct` is true; the routes check the role themselves either way.",
      response: {
        200: z.looseObject({
          agent: agentView.describe("The caller as an agent: a signed-in person by their name (else email); a key as `API`, unless it names a helpdesk agent per request"),
          mayAct: z.boolean().describe("Whether the caller's role may claim, answer, note, hand back and close (agent and above)"),
        }),
      },
    },
  }, async (request) => {
    const principal = requireTenant(request);
    // The least role of the acting routes, read from the one table rather than repeated here.
    const least = leastRoleFor("POST", "/v1/admin/conversations/:sessionId/claim");
    const mayAct = "role" in principal && least !== "operator" && roleAtLeast(principal.role, least);
    return { agent: await agentOf(request, undefined), mayAct };
  });

  app.get("/v1/admin/conversations/live", {
    config: auth,
    schema: {
      tags, summary: "Follow the inbox live: which conversations changed, as they change",
      response: {
        200: {
          description: "Server-Sent Events until the client goes away",
          content: { "text/event-stream": { schema: z.string().describe("`ready` { counts } at once, then `changed` { sessionIds, handoffs, counts? } at most a few times a second (handoffs: a handoff changed, and `counts` says how many wait now, as GET …/counts would)") } },
        },
      },
    },
  }, async (request, reply) => {
    const { tenantId } = requireTenant(request);
    reply.hijack();
    reply.raw.writeHead(200, { ...reply.getHeaders(), "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" } as Record<string, string>);
    const send = (event: string, data: unknown) => { if (!reply.raw.destroyed) reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`); };
    // The badge's counts ride on the stream, so a console page costs the tenant one request, not one
    // per change. Events go out in order: each waits for the one before (and its counts) to be sent.
    const counts = () => broker.call<{ waiting: number; claimed: number }, object>("handoff.counts", { tenantId }).catch(() => undefined);
    let queue = counts().then((now) => send("ready", now ? { counts: now } : {}));
    const stop = inboxFeedOf(broker).watch(tenantId, (change) => {
      queue = queue.then(async () => {
        const now = change.handoffs ? await counts() : undefined;
        send("changed", { sessionIds: change.sessionIds, handoffs: change.handoffs, ...(now ? { counts: now } : {}) });
      });
    });
    const keepalive = setInterval(() => { if (!reply.raw.destroyed) reply.raw.write(": keepalive\n\n"); }, KEEPALIVE_MS);
    request.raw.once("close", () => {
      clearInterval(keepalive);
      stop();
    });
  });

  app.get("/v1/admin/conversations/:sessionId", {
    config: auth,
    schema: {
      tags, params: sessionParams, summary: "A conversation: transcript, variables, path through the flow, events, handoffs and notes",
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional().describe("The last this many messages (default 500)") }),
      response: { 200: detailView, 404: apiError("No such conversation in this tenant (CONVERSATION_NOT_FOUND)") },
    },
  }, async (request) => broker.call("handoff.conversation", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, limit: request.query.limit }));

  app.post("/v1/admin/conversations/:sessionId/claim", {
    config: auth,
    schema: {
      tags, params: sessionParams, summary: "Claim a conversation waiting for a person: it is yours to answer (two at once: one wins, the other gets 409)",
      body: z.strictObject({ agent: namedAgent }).optional(),
      response: { 200: handoffView, 404: apiError("No such conversation (CONVERSATION_NOT_FOUND)"), 409: apiError(notWaiting) },
    },
  }, async (request) => broker.call("handoff.claim", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, agent: await agentOf(request, request.body?.agent) }));

  app.post("/v1/admin/conversations/:sessionId/take-over", {
    config: auth,
    schema: {
      tags, params: sessionParams, summary: "Take over a conversation the bot has: the bot goes quiet and the conversation is yours",
      body: z.strictObject({ agent: namedAgent }).optional(),
      response: { 200: handoffView, 404: apiError("No such conversation (CONVERSATION_NOT_FOUND)"), 409: apiError(`The conversation ended, or ${notWaiting}`) },
    },
  }, async (request) => broker.call("handoff.takeOver", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, agent: await agentOf(request, request.body?.agent) }));

  app.post("/v1/admin/conversations/:sessionId/messages", {
    config: auth,
    schema: {
      tags, params: sessionParams, summary: "Answer the user as a person: delivered on the conversation's own channel (the web chat live, a vendor channel through its plugin)",
      body: z.strictObject({ text: z.string().trim().min(1).max(4000), agent: namedAgent }),
      response: {
        201: z.looseObject({ message: z.record(z.string(), z.unknown()), delivery: deliveryView, revision: z.number().int() }),
        404: apiError("No such conversation (CONVERSATION_NOT_FOUND)"), 409: apiError(notWaiting),
      },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("handoff.reply", {
    tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, text: request.body.text, agent: await agentOf(request, request.body.agent),
  })));

  app.get("/v1/admin/conversations/:sessionId/notes", {
    config: auth,
    schema: { tags, params: sessionParams, summary: "The agents' internal notes on a conversation, oldest first", response: { 200: z.object({ notes: z.array(noteView) }), 404: apiError("No such conversation (CONVERSATION_NOT_FOUND)") } },
  }, async (request) => ({ notes: await broker.call<z.infer<typeof noteView>[], object>("handoff.notes", { tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId }) }));

  app.post("/v1/admin/conversations/:sessionId/notes", {
    config: auth,
    schema: {
      tags, params: sessionParams, summary: "Add an internal note (never shown to the user)",
      body: z.strictObject({ text: z.string().trim().min(1).max(4000), agent: namedAgent }),
      response: { 201: noteView, 404: apiError("No such conversation (CONVERSATION_NOT_FOUND)") },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("handoff.addNote", {
    tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, text: request.body.text, agent: await agentOf(request, request.body.agent),
  })));

  app.post("/v1/admin/conversations/:sessionId/release", {
    config: auth,
    schema: {
      tags, params: sessionParams, summary: "Hand the conversation back to the bot, at a node you pick or where it waited",
      body: z.strictObject({
        nodeId: z.string().min(1).max(100).optional().describe("A node of the flow the conversation runs, entered afresh; by default the bot goes on from where it waited"),
        agent: namedAgent,
      }).optional(),
      response: {
        200: z.looseObject({ handoff: handoffView.nullable(), status: z.string(), messages: z.array(z.record(z.string(), z.unknown())), delivery: deliveryView.nullable() }),
        400: apiError("The flow has no such node (HANDBACK_NODE_UNKNOWN), or the request is malformed"),
        404: apiError("No such conversation (CONVERSATION_NOT_FOUND)"), 409: apiError(notWaiting),
      },
    },
  }, async (request) => broker.call("handoff.release", {
    tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, agent: await agentOf(request, request.body?.agent), ...(request.body?.nodeId ? { nodeId: request.body.nodeId } : {}),
  }));

  app.post("/v1/admin/conversations/:sessionId/close", {
    config: auth,
    schema: {
      tags, params: sessionParams, summary: "Close the conversation, with a last message to the user if you like",
      body: z.strictObject({ message: z.string().trim().min(1).max(4000).optional(), agent: namedAgent }).optional(),
      response: {
        200: z.looseObject({ handoff: handoffView.nullable(), status: z.string(), delivery: deliveryView }),
        404: apiError("No such conversation (CONVERSATION_NOT_FOUND)"), 409: apiError(notWaiting),
      },
    },
  }, async (request) => broker.call("handoff.close", {
    tenantId: requireTenant(request).tenantId, sessionId: request.params.sessionId, agent: await agentOf(request, request.body?.agent), ...(request.body?.message ? { message: request.body.message } : {}),
  }));
};
