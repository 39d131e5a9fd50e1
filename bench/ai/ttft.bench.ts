/**
 * bench/ai (issue 6): time to first token through the platform against the same model called
 * straight, in interleaved rounds in this one process. The model is a loopback fake OpenAI that
 * streams its first chunk at once and the rest over the following milliseconds; the baseline asks
 * it through the openai SDK and stops the clock at the first text delta, the platform run sends a
 * chat message with `Accept: text/event-stream` to an assistant bot and stops the clock at the
 * first `delta` event. The difference is what the platform adds: key check, limits, session read,
 * flow, `ai.respond` (bot, tenant, quota, knowledge search, prompt), the provider plugin and the
 * draft's way back to the HTTP response. Target: at most 50 ms added at p95.
 *
 *   scripts/node24.sh node bench/ai/ttft.bench.ts                     # embedded PGlite
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test scripts/node24.sh node bench/ai/ttft.bench.ts
 * ROUNDS (default 200) sets the number of measured calls of each kind. With TEST_NATS_URL and
 * TEST_DATABASE_URL, `NODES=2` runs two nodes on NATS where the node holding the request has no
 * `ai` service: the model is called from the other node and its tokens hop back over the broker.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { startTestPlatform, type TestPlatform } from "../../test/kit/test-platform.ts";
import { createTestDatabase, testServices, uniqueName } from "../../test/kit/test-services.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 200);
const WARMUP = 20;
const TARGET_MS = 50;

/** A fake OpenAI: first chunk at once, then four more 5 ms apart. */
async function startModel(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", async () => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const chunk = (delta: object, finish: string | null = null) =>
        res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      chunk({ role: "assistant", content: "We" });
      for (const piece of [" open", " at", " nine", "."]) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        chunk({ content: piece });
      }
      chunk({}, "stop");
      res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [], usage: { prompt_tokens: 50, completion_tokens: 5, total_tokens: 55 } })}\n\n`);
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** Straight to the model: request to first text delta, through the SDK the provider uses. */
async function direct(client: OpenAI): Promise<number> {
  const started = performance.now();
  const stream = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "When do you open?" }], stream: true });
  let first: number | undefined;
  for await (const chunk of stream) if (first === undefined && chunk.choices[0]?.delta.content) first = performance.now() - started;
  return first!;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function post(base: string, path: string, key: string, body: unknown, accept: string, onFirstDelta?: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const url = new URL(base + path);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: { "x-api-key": key, "content-type": "application/json", accept, "content-length": Buffer.byteLength(payload) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        if (onFirstDelta && !text.includes("event: delta") && (text + c).includes("event: delta")) onFirstDelta();
        text += c;
      });
      res.on("end", () => (res.statusCode && res.statusCode < 300 ? resolve(text) : reject(new Error(`${path}: ${res.statusCode} ${text}`))));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Through the platform: message sent to first `delta` event; the rest of the turn is read but not timed. */
async function throughPlatform(base: string, key: string, botId: string, i: number): Promise<number> {
  const session = JSON.parse(await post(base, "/v1/chat/sessions", key, { botId }, "application/json")).sessionId as string;
  let first: number | undefined;
  const started = performance.now();
  const events = await post(base, `/v1/chat/sessions/${session}/messages`, key, { text: `When do you open? (${i})` }, "text/event-stream", () => { first = performance.now() - started; });
  if (first === undefined || !events.includes("event: done")) throw new Error(`no delta in ${events}`);
  return first;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const twoNodes = process.env.NODES === "2";
if (twoNodes && !(testServices.natsUrl && testServices.postgresUrl)) throw new Error("NODES=2 needs TEST_NATS_URL and TEST_DATABASE_URL");
const model = await startModel();
const env = {
  ALLOW_PRIVATE_NETWORKS: "true", OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: `${model.url}/v1`,
  RATE_LIMIT_PAID_PER_MINUTE: "1000000", QUOTA_PAID_MESSAGES_PER_MONTH: "100000000", AI_TOKENS_PAID_PER_MONTH: "1000000000",
  CHAT_SESSION_STARTS_FREE_PER_MINUTE: "100000000", CHAT_SESSION_STARTS_PAID_PER_MINUTE: "100000000", CHAT_SESSION_STARTS_IN_FLIGHT: "10000",
};
const database = twoNodes ? await createTestDatabase() : undefined;
const namespace = uniqueName("ttft");
const cluster = twoNodes ? { databaseUrl: database!.url, transporter: testServices.natsUrl, namespace, redis: true } : {};
const node = await startTestPlatform({ backend: testServices.postgresUrl ? "postgres" : "pglite", pluginFolders: ["plugins"], ...cluster, env: { ...env, ...(twoNodes ? { NODE_ID: `${namespace}-a` } : {}) } });
let other: TestPlatform | undefined;
if (twoNodes) {
  other = await startTestPlatform({ pluginFolders: ["plugins"], ...cluster, env: { ...env, NODE_ID: `${namespace}-b` } });
  const ai = node.platform.broker.getLocalService("ai");
  if (ai) await node.platform.broker.destroyService(ai);
  await node.platform.broker.waitForServices(["ai"], 20_000);
  for (let i = 0; i < 100 && !(await other.platform.broker.call("conversations.streamEvents", { streamId: "none", events: [] }, { nodeID: node.platform.broker.nodeID }).then(() => true, () => false)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
try {
  const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Bench", tier: "paid" } })).body;
  await node.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 1_000_000 } } });
  const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Front desk", config: { ai: { systemPrompt: "You are the front desk." } } } });
  if (bot.status !== 201) throw new Error(bot.text);
  const client = new OpenAI({ apiKey: "sk-bench", baseURL: `${model.url}/v1`, maxRetries: 0 });

  const baseline: number[] = [];
  const platform: number[] = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const d = await direct(client);
    const p = await throughPlatform(node.url, tenant.keys.widget, bot.body.id, i);
    if (i >= WARMUP) { baseline.push(d); platform.push(p); }
  }
  baseline.sort((a, b) => a - b);
  platform.sort((a, b) => a - b);
  const row = (name: string, xs: number[]) => `${name.padEnd(26)} p50 ${percentile(xs, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(xs, 95).toFixed(1).padStart(6)} ms`;
  const added = percentile(platform, 95) - percentile(baseline, 95);
  console.log(`time to first token, ${ROUNDS} calls each (${testServices.postgresUrl ? "PostgreSQL" : "embedded PGlite"}, ${twoNodes ? "two nodes on NATS, the model called from the other node" : "one node"})`);
  console.log(row("straight to the model", baseline));
  console.log(row("through the platform (SSE)", platform));
  console.log(`added by the platform      p50 ${(percentile(platform, 50) - percentile(baseline, 50)).toFixed(1).padStart(6)} ms   p95 ${added.toFixed(1).padStart(6)} ms   ratio p95 ${(percentile(platform, 95) / percentile(baseline, 95)).toFixed(1)}x`);
  console.log(`${added <= TARGET_MS ? "PASS" : "MISS"}: target at most ${TARGET_MS} ms added at p95`);
} finally {
  agent.destroy();
  await other?.stop();
  await node.cleanup();
  await database?.drop();
  await model.close();
}
