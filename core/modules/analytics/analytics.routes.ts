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

// The answers, as analytics.service.ts and analytics-store.ts build them (loose: views may grow).
const count = z.number().int().min(0);
const rate = z.number().min(0).max(1).describe("0..1, to 4 places");
const sentiment = z.number().min(-1).max(1).nullable().describe("Average of `temp.sentiment` (-1..1, to 3 places); null: no message carried one");
const figures = {
  started: count, completed: count, abandoned: count, handedOff: count,
  messagesIn: count, messagesOut: count, tokens: count, costUsd: z.number().min(0).describe("US dollars, to 6 places"),
};
const sessionCounts = { started: count, completed: count, abandoned: count, handedOff: count };
const period = { from: z.iso.date().describe("First day of the range (UTC)"), to: z.iso.date().describe("Last day of the range (UTC)") };
const summaryAnswer = z.looseObject({
  ...period,
  sessions: z.looseObject(sessionCounts),
  messages: z.looseObject({ in: count, out: count }),
  completionRate: rate, medianTurns: z.number().min(0).nullable().describe("Median turns per session; null: no session in the range"),
  tokens: count, costUsd: figures.costUsd,
  byDay: z.array(z.looseObject({ day: z.iso.date(), ...figures })).describe("Every day of the range, zeros included"),
  byChannel: z.array(z.looseObject({ channel: z.string(), ...sessionCounts })).describe("Channels with sessions in the range, most started first"),
  byHour: z.array(z.looseObject({ hour: z.iso.datetime().describe("The hour's start, UTC"), ...figures })).optional().describe("With `interval=hour`: hours with any figure"),
});
const nodesAnswer = z.looseObject({
  ...period,
  version: z.number().int().describe("The flow version whose nodes are listed (`version`, else the published one)"),
  nodes: z.array(z.looseObject({
    nodeId: z.string(), type: z.string().nullable().describe("Its node type; null: a node id recorded that this version does not have"),
    entered: count, reached: count, left: count, dropOff: count, dropOffRate: rate,
    medianSecondsToLeave: z.number().min(0).nullable(), validationFailures: count, errors: count, averageSentiment: sentiment,
  })).describe("The version's nodes in the flow's order, then other node ids recorded in the range"),
});
const funnelAnswer = z.looseObject({
  ...period, fromNode: z.string(), toNode: z.string(),
  reachedFrom: count, reachedTo: count.describe("Of those that reached `fromNode`, how many reached `toNode` after it"),
  droppedBetween: count, conversionRate: rate,
});
const intentsAnswer = z.looseObject({
  ...period,
  intents: z.array(z.looseObject({ intent: z.string().nullable().describe("null: no intent matched"), messages: count, averageSentiment: sentiment })).describe("Most messages first"),
  byDay: z.array(z.looseObject({ day: z.iso.date(), intent: z.string().nullable(), messages: count, averageSentiment: sentiment })),
});
const sentimentAnswer = z.looseObject({
  ...period,
  byNode: z.array(z.looseObject({ nodeId: z.string(), averageSentiment: sentiment })).describe("Nodes answered by a message that carried a sentiment"),
  byDay: z.array(z.looseObject({ day: z.iso.date(), messages: count, averageSentiment: sentiment })).describe("Days with messages"),
});

/** A 200 that is JSON, or CSV with `?format=csv` or `Accept: text/csv`. */
function jsonOrCsv(json: z.ZodType, columns: readonly string[], rows: string) {
  return {
    description: `The view as JSON, or ${rows} as CSV with \`?format=csv\` or \`Accept: text/csv\``,
    content: {
      "application/json": { schema: json },
      "text/csv": { schema: z.string().describe(`CSV (RFC 4180, CRLF) with the header row ${columns.join(",")}; sent as an attachment`) },
    },
  };
}

type Row = Record<string, string | number | boolean | null>;

/** CSV when asked for by `?format=csv` or an Accept header preferring text/csv. */
function wantsCsv(request: FastifyRequest<{ Querystring: { format?: "json" | "csv" } }>): boolean {
  if (request.query.format) return request.query.format === "csv";
  const accept = request.headers.accept ?? "";
  return accept.includes("text/csv") && !/^\s*application\/json/.test(accept);
}

const columns = {
  summary: ["day", "started", "completed", "abandoned", "handedOff", "messagesIn", "messagesOut", "tokens", "costUsd"],
  nodes: ["nodeId", "type", "entered", "reached", "left", "dropOff", "dropOffRate", "medianSecondsToLeave", "validationFailures", "errors", "averageSentiment"],
  funnel: ["fromNode", "toNode", "reachedFrom", "reachedTo", "droppedBetween", "conversionRate"],
  intents: ["day", "intent", "messages", "averageSentiment"],
  sentiment: ["nodeId", "averageSentiment"],
} as const;

function sendCsv(reply: FastifyReply, name: string, rows: readonly Row[], columns: readonly string[]) {
  return reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${name}.csv"`)
    .send(stringify(rows.map((r) => columns.map((c) => r[c] ?? "")), { header: true, columns: [...columns], record_delimiter: "\r\n" }));
}

/** Sessions, messages, completion, nodes, funnels, intents and sentiment of a bot, as JSON or CSV (the viewer role may read them). */
export const analyticsRoutes: RouteModule = (app, { broker }) => {
  const tags = ["analytics"];
  const auth = { auth: "tenant-admin" as const };
  const base = "/v1/admin/bots/:botId/analytics";
  const call = <T>(action: string, request: FastifyRequest<{ Params: { botId: string }; Querystring: Record<string, unknown> }>, extra: object = {}) => {
    const { format: _format, ...query } = request.query;
    return broker.call<T, object>(action, { tenantId: requireTenant(request).tenantId, botId: request.params.botId, ...query, ...extra });
  };

  app.get(base, {
    config: auth,
    schema: {
      tags, params: botParams,
      summary: "Sessions started, completed, abandoned (expired or ended by the user) and handed off, messages, completion rate, median turns, tokens and cost, by day, of sessions started in the range",
      querystring: z.strictObject({ ...range, interval: z.enum(["day", "hour"]).optional().describe("hour: also `byHour` (ranges up to 31 days)") }),
      response: { 200: jsonOrCsv(summaryAnswer, columns.summary, "the days") },
    },
  }, async (request, reply) => {
    const summary = await call<{ byDay: Row[] }>("analytics.summary", request);
    if (!wantsCsv(request)) return summary;
    return sendCsv(reply, "analytics", summary.byDay, columns.summary);
  });

  app.get(`${base}/nodes`, {
    config: auth,
    schema: {
      tags, params: botParams, querystring: rangeQuery,
      summary: "Per node of the flow version: entered, sessions that reached it, left, drop-off (abandoned while waiting there) and its rate, median seconds to leave, validation failures, errors",
      response: { 200: jsonOrCsv(nodesAnswer, columns.nodes, "the nodes") },
    },
  }, async (request, reply) => {
    const result = await call<{ nodes: Row[] }>("analytics.nodes", request);
    if (!wantsCsv(request)) return result;
    return sendCsv(reply, "analytics-nodes", result.nodes, columns.nodes);
  });

  app.get(`${base}/funnel`, {
    config: auth,
    schema: {
      tags, params: botParams,
      summary: "Of the sessions that reached `fromNode`, how many reached `toNode` after it",
      querystring: z.strictObject({ ...range, fromNode: z.string().min(1).max(200), toNode: z.string().min(1).max(200) }),
      response: { 200: jsonOrCsv(funnelAnswer, columns.funnel, "one row") },
    },
  }, async (request, reply) => {
    const funnel = await call<Row>("analytics.funnel", request);
    if (!wantsCsv(request)) return funnel;
    return sendCsv(reply, "analytics-funnel", [funnel], columns.funnel);
  });

  app.get(`${base}/intents`, {
    config: auth,
    schema: {
      tags, params: botParams, querystring: rangeQuery, summary: "Messages by intent (`temp.intent`; `none`: no intent of the bot matched) and by day, with their average sentiment",
      response: { 200: jsonOrCsv(intentsAnswer, columns.intents, "intents by day") },
    },
  }, async (request, reply) => {
    const result = await call<{ byDay: Row[] }>("analytics.intents", request);
    if (!wantsCsv(request)) return result;
    return sendCsv(reply, "analytics-intents", result.byDay, columns.intents);
  });

  app.get(`${base}/sentiment`, {
    config: auth,
    schema: {
      tags, params: botParams, querystring: rangeQuery, summary: "Average sentiment (`temp.sentiment`, -1..1) of the messages answering each node, and by day",
      response: { 200: jsonOrCsv(sentimentAnswer, columns.sentiment, "the nodes") },
    },
  }, async (request, reply) => {
    const result = await call<{ byNode: Row[] }>("analytics.sentiment", request);
    if (!wantsCsv(request)) return result;
    return sendCsv(reply, "analytics-sentiment", result.byNode, columns.sentiment);
  });
};
