import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { ForbiddenError, NotFoundError } from "../../sdk/platform-error.ts";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import type { BotConfig } from "../../engine/bots/bot-config.ts";
import { createBotTools } from "./bot-tools.ts";
import { McpServerErrorCode } from "./mcp-errors.ts";
import { createOriginCheck } from "./mcp-origin.ts";
import { createMcpSessions, type McpSession } from "./mcp-sessions.ts";
import { createPlatformMcpServer, type ToolSource } from "./platform-mcp-server.ts";
import { createToolServerProxy, type ToolServerRef } from "./tool-server-proxy.ts";
import { eventStreamDescription, jsonRpcBodySchema, jsonRpcErrorSchema, protectedResourceMetadataSchema } from "./mcp-http-schemas.ts";
import { apiErrorOr, noContent } from "../../kernel/gateway/openapi.ts";

export type { ToolServerRef } from "./tool-server-proxy.ts";

const tags = ["mcp"];
const METADATA_PREFIX = "/.well-known/oauth-protected-resource";
const serverParams = z.strictObject({ server: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/) });
const scopeQuery = z.object({ bot: z.uuid().optional() });

const SUMMARY = {
  POST: "send JSON-RPC messages (initialize first, then the Mcp-Session-Id it answered); answers as Server-Sent Events",
  GET: "open the session's event stream (server-to-client messages)",
  DELETE: "end the session",
} as const;

const rpcErrorAnswer = (when: string) => ({ description: when, content: { "application/json": { schema: jsonRpcErrorSchema } } });
/** Statuses where our gateway's envelope (bad query, unknown server) or the transport's JSON-RPC error may answer. */
const sessionErrors = {
  400: apiErrorOr("A bad `bot` or server name (the envelope); a message that is not JSON-RPC, a request without a session, an unsupported MCP-Protocol-Version (JSON-RPC)", jsonRpcErrorSchema),
  404: apiErrorOr("An unknown server (the envelope, MCP_SERVER_NOT_FOUND); a session that is unknown, expired, closed or another tenant's (JSON-RPC -32001: initialize again)", jsonRpcErrorSchema),
  500: apiErrorOr("Our side failed while the transport handled the request (JSON-RPC -32603) or before (the envelope)", jsonRpcErrorSchema),
};

/** What each method of an MCP endpoint answers (mcp.routes.ts and the SDK's StreamableHTTPServerTransport). */
const ANSWERS = {
  POST: {
    200: {
      description: "The answers to the body's requests (and the server's messages meanwhile) as Server-Sent Events; an initialize also answers the `Mcp-Session-Id` header",
      content: { "text/event-stream": { schema: z.string().describe(eventStreamDescription) } },
    },
    202: noContent("Accepted: the body held only notifications or responses; no body"),
    ...sessionErrors,
    406: rpcErrorAnswer("The Accept header does not name both application/json and text/event-stream (JSON-RPC -32000)"),
  },
  GET: {
    200: {
      description: "The session's event stream: messages the server sends outside any request, until the session ends",
      content: { "text/event-stream": { schema: z.string().describe(eventStreamDescription) } },
    },
    ...sessionErrors,
    406: rpcErrorAnswer("The Accept header does not name text/event-stream (JSON-RPC -32000)"),
    409: rpcErrorAnswer("The session already has an open event stream (JSON-RPC -32000)"),
  },
  DELETE: {
    200: noContent("The session ended; no body"),
    ...sessionErrors,
  },
};

/** A JSON-RPC error answered before the SDK's transport is reached, in the shape it would answer. */
function rpcError(reply: FastifyReply, status: number, code: number, message: string) {
  return reply.code(status).send({ jsonrpc: "2.0", error: { code, message }, id: null });
}

/**
 * The platform as an MCP server over Streamable HTTP, for outside MCP clients (Claude Desktop,
 * the Inspector, agents): `/v1/mcp` serves the tenant's bots (list_bots, ask_bot,
 * search_knowledge) and every first-party tool server's tools as `<server>__<tool>`;
 * `/v1/mcp/<server>` serves one tool server's tools alone. `?bot=<id>` on the URL makes a session
 * act for that bot: the tool servers get its configuration of them (a price list) and its id.
 *
 * Authenticated with a tenant secret key (`Authorization: Bearer sk_…`; a 401 names the
 * protected-resource metadata, RFC 9728, as the MCP authorization spec asks); OAuth 2.1 is not
 * offered. Browser origins are checked (mcp-origin.ts), messages are bounded by
 * MCP_MAX_MESSAGE_BYTES (413), and sessions per tenant and by idleness (mcp-sessions.ts).
 */
export function mcpRoutes(toolServers: readonly ToolServerRef[]): RouteModule {
  const byName = new Map(toolServers.map((s) => [s.name, s]));
  return (app, { broker, platform }) => {
    const config = platform.config;
    const logger = platform.logger.child({ component: "mcp-server" });
    const sessions = createMcpSessions({ maxPerTenant: config.MCP_MAX_SESSIONS_PER_TENANT, idleMs: config.MCP_SESSION_IDLE_SECONDS * 1000 });
    const originAllowed = createOriginCheck(config.PUBLIC_URL, config.MCP_ALLOWED_ORIGINS);
    const timeoutMs = config.AI_TIMEOUT_MS;
    // Open streams would hold the port open: sessions end before the server stops listening.
    app.addHook("preClose", async () => sessions.closeAll());

    const baseUrl = (request: FastifyRequest) => (config.PUBLIC_URL ?? `${request.protocol}://${request.host}`).replace(/\/$/, "");

    /** The scope of a new session: the bot `?bot=` names (its configuration of each tool server), checked to be the tenant's. */
    async function botScope(tenantId: string, botId: string | undefined) {
      if (!botId) return { servers: [] as NonNullable<BotConfig["ai"]>["mcpServers"] };
      const bot = await broker.call<{ config: BotConfig }, object>("bots.get", { tenantId, botId });
      return { botId, servers: bot.config.ai?.mcpServers ?? [] };
    }

    async function openSession(tenantId: string, endpoint: string, serverName: string | undefined, botId: string | undefined): Promise<McpSession> {
      const scope = await botScope(tenantId, botId);
      const proxyFor = (server: ToolServerRef) => createToolServerProxy(broker, server, {
        tenantId, ...(scope.botId ? { botId: scope.botId } : {}),
        config: scope.servers?.find((s) => s.plugin === server.plugin || s.name === server.name)?.config,
      }, timeoutMs);
      const logContext = { tenantId, endpoint };
      let sources: ToolSource[];
      let instructions: string;
      if (serverName) {
        const proxy = proxyFor(byName.get(serverName)!);
        sources = [{ name: serverName, required: true, tools: () => proxy.tools(false) }];
        instructions = `The ${serverName} tools of this business.`;
      } else {
        sources = [
          { name: "bots", required: true, tools: async () => createBotTools(broker, tenantId, timeoutMs) },
          ...toolServers.map((server) => {
            const proxy = proxyFor(server);
            return { name: server.name, tools: () => proxy.tools(true) };
          }),
        ];
        instructions = "This business's bots (list_bots, then ask_bot or search_knowledge with a bot's id) and its tools (named <server>__<tool>).";
      }
      const server = createPlatformMcpServer({ name: serverName ? `bot-platform-${serverName}` : "bot-platform", instructions, sources, logger, logContext });
      return sessions.open(tenantId, endpoint, server);
    }

    async function handle(request: FastifyRequest, reply: FastifyReply, serverName: string | undefined) {
      if (!originAllowed(request.headers.origin)) {
        throw new ForbiddenError(McpServerErrorCode.originNotAllowed, "This site may not use the platform's MCP endpoint (set MCP_ALLOWED_ORIGINS to allow it)");
      }
      const principal = requireTenant(request);
      // A browser's cookie session never reaches MCP: the client must hold a key it was given.
      if (principal.kind !== "admin") throw new ForbiddenError(McpServerErrorCode.keyRequired, "MCP clients send a tenant secret key as `Authorization: Bearer sk_…`");
      if (serverName !== undefined && !byName.has(serverName)) throw new NotFoundError(McpServerErrorCode.serverNotFound, `MCP server ${serverName}`);
      const endpoint = serverName ? `/v1/mcp/${serverName}` : "/v1/mcp";
      const sessionId = request.headers["mcp-session-id"];

      let session: McpSession | undefined;
      if (typeof sessionId === "string") {
        session = sessions.find(sessionId, principal.tenantId, endpoint);
        // Expired, closed, another node's, another tenant's or another endpoint's: all the same to the client.
        if (!session) return rpcError(reply, 404, -32001, "Session not found: initialize a new session");
      } else if (request.method === "POST" && (isInitializeRequest(request.body) || (Array.isArray(request.body) && request.body.some((m) => isInitializeRequest(m))))) {
        const query = scopeQuery.safeParse(request.query);
        if (!query.success) return rpcError(reply, 400, -32602, "`bot` in the URL must be a bot's id");
        session = await openSession(principal.tenantId, endpoint, serverName, query.data.bot);
      } else {
        return rpcError(reply, 400, -32000, "Bad Request: send an initialize request first, then the Mcp-Session-Id header it returned");
      }

      // The server's event stream (GET) stays open as long as the client likes: it does not keep an idle session alive.
      const done = request.method === "GET" ? () => {} : session.use();
      reply.hijack();
      try {
        await session.transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (error) {
        logger.error({ tenantId: principal.tenantId, endpoint, err: error }, "MCP request failed");
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: null }));
        }
      } finally {
        done();
      }
      return reply;
    }

    const routeOptions = {
      config: { auth: "tenant-admin" as const },
      bodyLimit: config.MCP_MAX_MESSAGE_BYTES,
      // 401s name the protected-resource metadata, so a client can tell how to authenticate.
      onSend: async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        if (reply.statusCode === 401) reply.header("www-authenticate", `Bearer realm="bot-platform", resource_metadata="${baseUrl(request)}${METADATA_PREFIX}${request.url.split("?")[0]}"`);
        return payload;
      },
    };
    const describe = (method: "POST" | "GET" | "DELETE", what: string) => ({
      tags, querystring: scopeQuery,
      summary: `MCP over Streamable HTTP, ${what}: ${SUMMARY[method]}`,
      ...(method === "POST" ? { body: jsonRpcBodySchema } : {}),
      response: ANSWERS[method],
    });

    for (const method of ["POST", "GET", "DELETE"] as const) {
      app.route({ method, url: "/v1/mcp", ...routeOptions, schema: describe(method, "the tenant's bots and every first-party tool"), handler: (request, reply) => handle(request, reply, undefined) });
      app.route({
        method, url: "/v1/mcp/:server", ...routeOptions,
        schema: { ...describe(method, `one first-party tool server alone (${toolServers.map((s) => s.name).join(", ")})`), params: serverParams },
        handler: (request, reply) => handle(request, reply, request.params.server),
      });
    }

    // RFC 9728: what a client that got a 401 reads to learn how to authenticate (a bearer key in the header).
    const metadata = (request: FastifyRequest, path: string) => ({
      resource: `${baseUrl(request)}${path}`,
      bearer_methods_supported: ["header"],
      resource_name: "Bot platform MCP server",
      resource_documentation: `${baseUrl(request)}/docs`,
    });
    const metadataAnswer = { 200: protectedResourceMetadataSchema };
    app.get(`${METADATA_PREFIX}/v1/mcp`, { schema: { tags, summary: "OAuth protected-resource metadata of /v1/mcp (RFC 9728)", response: metadataAnswer } }, async (request) => metadata(request, "/v1/mcp"));
    app.get(`${METADATA_PREFIX}/v1/mcp/:server`, { schema: { tags, params: serverParams, summary: "OAuth protected-resource metadata of /v1/mcp/{server} (RFC 9728)", response: metadataAnswer } }, async (request) => {
      if (!byName.has(request.params.server)) throw new NotFoundError(McpServerErrorCode.serverNotFound, `MCP server ${request.params.server}`);
      return metadata(request, `/v1/mcp/${request.params.server}`);
    });
  };
}
