import assert from "node:assert/strict";
import http from "node:http";
import { afterEach, describe, it } from "mocha";
import { createTestEngine } from "../../core/testing/flow-kit.ts";
import { validateFlow } from "../../core/engine/flow/flow-validator.ts";
import { createNodeTypeRegistry } from "../../core/engine/flow/node-type-registry.ts";
import { safeFetch } from "../../core/kernel/net/safe-fetch.ts";
import coreNodes from "./index.ts";

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string; at: number };
type Answer = { status: number; body?: unknown; delayMs?: number };

/** A local target that records requests and answers from a script (the last answer repeats). */
async function startTarget(script: Answer[]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() });
      const answer = script[Math.min(seen.length - 1, script.length - 1)]!;
      const timer = setTimeout(() => {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer.body ?? {}));
      }, answer.delayMs ?? 0);
      res.on("close", () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { seen, base, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

function webhookFlow(webhook: Record<string, unknown>) {
  return {
    start: "prepare",
    nodes: [
      { id: "prepare", type: "action", content: { actions: [{ op: "set", variable: "user.name", value: "Ada" }, { op: "set", variable: "user.age", value: 36 }, { op: "set", variable: "user.tag", value: "a&admin=1" }] }, connections: { default: "hook" } },
      { id: "hook", type: "webhook", content: webhook, connections: { success: "ok", error: "failed" } },
      { id: "ok", type: "message", content: { messages: [{ type: "text", text: "Order {{session.order_id}} is {{session.state}}." }] }, connections: { default: "done" } },
      { id: "failed", type: "message", content: { messages: [{ type: "text", text: "Sorry, the shop is not answering." }] }, connections: { default: "done" } },
      { id: "done", type: "end", content: {} },
    ],
  };
}

const secrets: Record<string, string> = { crm_token: "s3cr3t-token", url_key: "k3y-in-url" };
function setup(flow: unknown) {
  const resolved: string[] = [];
  return {
    resolved,
    ...createTestEngine({
      modules: [coreNodes],
      flow,
      fetch: (url, init) => safeFetch(url, init, { allowPrivateNetworks: true }),
      resolveSecret: async (_tenant, name) => { resolved.push(name); return secrets[name]; },
    }),
  };
}
const start = (engine: ReturnType<typeof setup>["engine"], flow: unknown) => engine.startSession({ tenantId: "acme", botId: "shop", flow, flowVersion: "1", channel: "web" });
const texts = (reply: { messages: { type: string }[] }) => reply.messages.map((m) => ("text" in m ? m.text : m.type));

describe("a webhook node", () => {
  let target: Awaited<ReturnType<typeof startTarget>> | undefined;
  afterEach(async () => { await target?.close(); target = undefined; });

  it("sends a templated body with secrets filled at call time, maps the JSON response, and never keeps the secrets", async () => {
    target = await startTarget([{ status: 200, body: { order: { id: "A-17", state: "shipped" }, items: [{ sku: "x" }, { sku: "y" }] } }]);
    const flow = webhookFlow({
      url: `${target.base}/orders?who={{user.name}}&tag={{user.tag}}`,
      headers: { Authorization: "Bearer {{secret:crm_token}}" },
      body: { name: "{{user.name}}", age: "{{user.age}}", note: "hello {{user.name}}" },
      response_mapping: [{ variable: "session.order_id", path: "$.order.id" }, { variable: "session.state", path: "$.order.state" }, { variable: "session.skus", path: "$.items[*].sku" }],
    });
    assert.deepEqual(validateFlow(flow, createNodeTypeRegistry([coreNodes])), []);
    const { engine, store, logs, events, resolved } = setup(flow);
    const { session, reply } = await start(engine, flow);

    assert.deepEqual(texts(reply), ["Order A-17 is shipped."]);
    const request = target.seen[0]!;
    assert.equal(request.method, "POST");
    assert.equal(request.url, "/orders?who=Ada&tag=a%26admin%3D1", "substituted values cannot add query parameters");
    assert.equal(request.headers.authorization, "Bearer s3cr3t-token");
    assert.equal(request.headers["idempotency-key"], `${session.id}:hook:0`);
    assert.deepEqual(JSON.parse(request.body), { name: "Ada", age: 36, note: "hello Ada" });
    assert.deepEqual(resolved.sort(), ["crm_token"]);

    const stored = await store.history("acme", session.id);
    const everything = JSON.stringify([session, await engine.getSession("acme", session.id), stored, logs, events]);
    for (const value of Object.values(secrets)) assert.ok(!everything.includes(value), `secret leaked: ${value}`);
    assert.deepEqual(session.variables.session, { order_id: "A-17", state: "shipped", skus: ["x", "y"] });
  });

  it("refuses a secret in the URL: nothing is sent, the secret is never read, and the flow takes `error`", async () => {
    target = await startTarget([{ status: 200, body: { order: { id: "A-17", state: "shipped" } } }]);
    const flow = webhookFlow({ url: `${target.base}/orders?key={{secret:url_key}}` });
    const { engine, logs, events, resolved } = setup(flow);
    const { reply } = await start(engine, flow);
    assert.deepEqual(texts(reply), ["Sorry, the shop is not answering."]);
    assert.equal(target.seen.length, 0);
    assert.deepEqual(resolved, []);
    assert.ok(events.some((e) => e.event === "conversation.webhook.called" && e.payload.code === "SECRET_IN_URL"), JSON.stringify(events));
    assert.ok(!JSON.stringify(logs).includes(secrets.url_key!));
  });

  it("retries a 5xx with growing backoff, then succeeds", async () => {
    target = await startTarget([{ status: 503 }, { status: 502 }, { status: 200, body: { id: "B-2", state: "paid" } }]);
    const flow = webhookFlow({ url: `${target.base}/orders`, retries: 2, backoff_ms: 40, response_mapping: [{ variable: "session.order_id", path: "$.id" }, { variable: "session.state", path: "$.state" }] });
    const { engine } = setup(flow);
    const { reply } = await start(engine, flow);
    assert.deepEqual(texts(reply), ["Order B-2 is paid."]);
    assert.equal(target.seen.length, 3);
    const [a, b, c] = target.seen.map((s) => s.at);
    assert.ok(b! - a! >= 35 && c! - b! >= 75, `backoff should grow: ${b! - a!} ms then ${c! - b!} ms`);
    assert.equal(new Set(target.seen.map((s) => s.headers["idempotency-key"])).size, 1, "retries carry the same idempotency key");
  });

  it("opens its circuit after repeated failures and stops calling the host", async () => {
    target = await startTarget([{ status: 500 }]);
    const flow = webhookFlow({ url: `${target.base}/down`, retries: 0, circuit: { failure_threshold: 3, reset_ms: 60_000 } });
    const { engine, logs } = setup(flow);
    for (let i = 0; i < 3; i++) assert.deepEqual(texts((await start(engine, flow)).reply), ["Sorry, the shop is not answering."]);
    assert.equal(target.seen.length, 3);
    const { reply } = await start(engine, flow);
    assert.deepEqual(texts(reply), ["Sorry, the shop is not answering."]);
    assert.equal(target.seen.length, 3, "an open circuit makes no call");
    assert.equal(logs.at(-1)?.data?.code, "CIRCUIT_OPEN");
  });

  it("follows `error` when the target is too slow", async () => {
    target = await startTarget([{ status: 200, delayMs: 2000 }]);
    const flow = webhookFlow({ url: `${target.base}/slow`, retries: 0, timeout_ms: 150 });
    const { engine, logs } = setup(flow);
    const began = Date.now();
    const { reply } = await start(engine, flow);
    assert.deepEqual(texts(reply), ["Sorry, the shop is not answering."]);
    assert.ok(Date.now() - began < 1500);
    assert.equal(logs.find((l) => l.message.includes("Webhook call failed"))?.data?.code, "FETCH_TIMEOUT");
  });

  it("is refused by the SSRF guard when the engine's fetch does not allow private networks", async () => {
    target = await startTarget([{ status: 200 }]);
    const flow = webhookFlow({ url: `${target.base}/internal`, retries: 0 });
    const { engine, logs } = createTestEngine({ modules: [coreNodes], flow, fetch: (url, init) => safeFetch(url, init) });
    const { reply } = await start(engine, flow);
    assert.deepEqual(texts(reply), ["Sorry, the shop is not answering."]);
    assert.equal(target.seen.length, 0);
    assert.equal(logs.find((l) => l.message.includes("Webhook call failed"))?.data?.code, "SSRF_BLOCKED");
  });
});
