import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { stringify } from "csv-stringify/sync";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";

const botParams = z.strictObject({ botId: z.uuid() });
const day = z.iso.date().describe("A day, YYYY-MM-DD (UTC); the range includes both ends and may span up to 366 days");
const range = {
  from: day.optional().describe("First day (UTC); default 29 days before `to`"),
  to: day.optional().describe("Last day (UTC); default today"),
  channel: z.string().min(1).max(32).optional().describe("Only sessions on this channel (its name, as sessions carry it)"),
  version: z.string().regex(/^-?\d{1,9}$/, "a flow version number").optional().describe("Only sessions on this flow version"),
  format: z.enum(["json", "csv"]).optional().describe("csv: the view as CSV (as does `Accept: text/csv`)"),
};
const rangeQuery = z.strictObject(range);

type Row = Record<string, string | number | boolean | null>;

/** CSV when asked for by `?format=csv` or an Accept header preferring text/csv. */
function wantsCsv(request: FastifyRequest<{ Querystring: { format?: "json" | "csv" } }>): boolean {
  if (request.query.format) return request.query.format === "csv";
  const accept = request.headers.accept ?? "";
  return accept.includes("text/csv") && !/^\s*application\/json/.test(accept);
}

function sendCsv(reply: FastifyReply, name: string, rows: readonly Row[], columns: readonly string[]) {
  return reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${name}.csv"`)
    .send(stringify(rows.map((r) => columns.map((c) => r[c] ?? "")), { header: true, columns: [...columns], record_delimiter: "\r\n" }));
}

/** Sessions, messages, completion, nodes, funnels, intents and sentiment of a bot, as JSON or CSV (the viewer role may read them). */
export const analyticsRoutes: RouteModule = (app, { broker }) => {
  const tags = ["analytics"];
  const security = [{ bearer: [] }];
  const auth = { auth: "tenant-admin" as const };
  const base = "/v1/admin/bots/:botId/analytics";
  const call = <T>(action: string, request: FastifyRequest<{ Params: { botId: string }; Querystring: Record<string, unknown> }>, extra: object = {}) => {
    const { format: _format, ...query } = request.query;
    return broker.call<T, object>(action, { tenantId: requireTenant(request).tenantId, botId: request.params.botId, ...query, ...extra });
  };

  app.get(base, {
    config: auth,
    schema: {
      tags, security, params: botParams,
      summary: "Sessions started, completed, abandoned (expired or ended by the user) and handed off, messages, completion rate, median turns, tokens and cost, by day, of sessions started in the range",
      querystring: z.strictObject({ ...range, interval: z.enum(["day", "hour"]).optional().describe("hour: also `byHour`") }),
    },
  }, async (request, reply) => {
    const summary = await call<{ byDay: Row[] }>("analytics.summary", request);
    if (!wantsCsv(request)) return summary;
    return sendCsv(reply, "analytics", summary.byDay, ["day", "started", "completed", "abandoned", "handedOff", "messagesIn", "messagesOut", "tokens", "costUsd"]);
  });

  app.get(`${base}/nodes`, {
    config: auth,
    schema: {
      tags, security, params: botParams, querystring: rangeQuery,
      summary: "Per node of the flow version: entered, sessions that reached it, left, drop-off (abandoned while waiting there) and its rate, median seconds to leave, validation failures, errors",
    },
  }, async (request, reply) => {
    const result = await call<{ nodes: Row[] }>("analytics.nodes", request);
    if (!wantsCsv(request)) return result;
    return sendCsv(reply, "analytics-nodes", result.nodes, ["nodeId", "type", "entered", "reached", "left", "dropOff", "dropOffRate", "medianSecondsToLeave", "validationFailures", "errors", "averageSentiment"]);
  });

  app.get(`${base}/funnel`, {
    config: auth,
    schema: {
      tags, security, params: botParams,
      summary: "Of the sessions that reached `fromNode`, how many reached `toNode` after it",
      querystring: z.strictObject({ ...range, fromNode: z.string().min(1).max(200), toNode: z.string().min(1).max(200) }),
    },
  }, async (request, reply) => {
    const funnel = await call<Row>("analytics.funnel", request);
    if (!wantsCsv(request)) return funnel;
    return sendCsv(reply, "analytics-funnel", [funnel], ["fromNode", "toNode", "reachedFrom", "reachedTo", "droppedBetween", "conversionRate"]);
  });

  app.get(`${base}/intents`, {
    config: auth,
    schema: { tags, security, params: botParams, querystring: rangeQuery, summary: "Messages by intent (`temp.intent`; null: none matched) and by day, with their average sentiment" },
  }, async (request, reply) => {
    const result = await call<{ byDay: Row[] }>("analytics.intents", request);
    if (!wantsCsv(request)) return result;
    return sendCsv(reply, "analytics-intents", result.byDay, ["day", "intent", "messages", "averageSentiment"]);
  });

  app.get(`${base}/sentiment`, {
    config: auth,
    schema: { tags, security, params: botParams, querystring: rangeQuery, summary: "Average sentiment (`temp.sentiment`, -1..1) of the messages answering each node, and by day" },
  }, async (request, reply) => {
    const result = await call<{ byNode: Row[] }>("analytics.sentiment", request);
    if (!wantsCsv(request)) return result;
    return sendCsv(reply, "analytics-sentiment", result.byNode, ["nodeId", "averageSentiment"]);
  });
};
