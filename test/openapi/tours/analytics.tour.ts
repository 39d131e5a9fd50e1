import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/**
 * A bot's analytics (core/modules/analytics/analytics.routes.ts): every view as JSON, each also as
 * CSV (by `?format=csv` and by `Accept: text/csv`), and the bad input each view refuses. By now the
 * tour has held conversations with the example flow's bot, so the figures are not all zero.
 */
export const tour: Tour = async ({ call, botId, admin }) => {
  const base = `/v1/admin/bots/${botId}/analytics`;
  const today = new Date().toISOString().slice(0, 10);
  const csv = { ...admin, headers: { accept: "text/csv" } };

  const summary = await call("GET", base, admin);
  assert.equal(summary.status, 200, summary.text);
  assert.ok(summary.body.sessions.started > 0, summary.text);
  const hourly = await call("GET", `${base}?from=${today}&to=${today}&interval=hour&channel=web`, admin);
  assert.equal(hourly.status, 200, hourly.text);
  assert.ok(Array.isArray(hourly.body.byHour), hourly.text);
  const summaryCsv = await call("GET", `${base}?format=csv`, admin);
  assert.match(summaryCsv.text, /^day,started,completed,abandoned,handedOff,/);

  const nodes = await call("GET", `${base}/nodes`, admin);
  assert.equal(nodes.status, 200, nodes.text);
  assert.ok(nodes.body.nodes.some((n: { nodeId: string; reached: number }) => n.nodeId === "ask_name" && n.reached > 0), nodes.text);
  const nodesCsv = await call("GET", `${base}/nodes?version=1`, csv);
  assert.match(nodesCsv.headers.get("content-type") ?? "", /^text\/csv/);

  const funnel = await call("GET", `${base}/funnel?fromNode=welcome&toNode=ask_age`, admin);
  assert.equal(funnel.status, 200, funnel.text);
  await call("GET", `${base}/funnel?fromNode=welcome&toNode=done&format=csv`, admin);

  const intents = await call("GET", `${base}/intents?from=${today}`, admin);
  assert.equal(intents.status, 200, intents.text);
  await call("GET", `${base}/intents`, csv);

  const sentiment = await call("GET", `${base}/sentiment`, admin);
  assert.equal(sentiment.status, 200, sentiment.text);
  await call("GET", `${base}/sentiment?format=csv`, admin);

  // Bad input: a reversed range, a funnel from a node to itself, a node the flow does not have, another bot.
  const reversed = await call("GET", `${base}?from=${today}&to=2020-01-01`, admin);
  assert.equal(reversed.status, 400, reversed.text);
  assert.equal(reversed.body.error.code, "ANALYTICS_RANGE_REVERSED");
  assert.equal((await call("GET", `${base}/funnel?fromNode=welcome&toNode=welcome`, admin)).status, 400);
  assert.equal((await call("GET", `${base}/funnel?fromNode=welcome&toNode=nowhere`, admin)).status, 400);
  assert.equal((await call("GET", `/v1/admin/bots/${crypto.randomUUID()}/analytics/intents`, admin)).status, 404);
};
