/**
 * The durability scenario, shared by test/channels/whatsapp-burst.test.ts and
 * bench/webhooks/webhooks.bench.ts: a burst of signed WhatsApp webhooks from distinct senders,
 * spread over the nodes of a NATS cluster on one PostgreSQL database, with one node killed
 * (SIGKILL, in its own process) in the middle and a replacement started. Webhooks that were not
 * acknowledged are sent again, as Meta does. Afterwards the database and the fake Graph API say how
 * many turns and replies each message got.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import pg from "pg";
import { startTestPlatform, TEST_OPERATOR_KEY, type TestPlatform } from "../../test/kit/test-platform.ts";
import { uniqueName } from "../../test/kit/test-services.ts";
import { startFakeGraphApi } from "../../test/channels/fake-graph-api.ts";

export const PHONE_ID = "106540352242999";
export const waSecrets = { accessToken: "EAAG-burst-access-token-0001", appSecret: "app-secret-for-the-burst", verifyToken: "verify-token-for-the-burst" };

/**
 * A bot that answers every message with exactly one reply naming what it got: the question asks
 * again after each answer, so every turn after the first records one inbound entry and one reply.
 */
export const echoFlow = {
  start: "ask",
  nodes: [{ id: "ask", type: "question", content: { question: "Got {{user.last}}", input_type: "text", variable: "user.last" }, connections: { default: "ask" } }],
};

/** A text message webhook as Meta sends it, signed as Meta signs: HMAC-SHA256 of the raw body with the app secret. */
export function signedTextWebhook(from: string, id: string, text: string, appSecret = waSecrets.appSecret, phoneNumberId = PHONE_ID): { rawBody: string; signature: string } {
  const rawBody = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "WABA", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp", metadata: { display_phone_number: "15550001111", phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: "Burst" }, wa_id: from }],
      messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }],
    } }] }],
  });
  return { rawBody, signature: `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}` };
}

/** POSTs one webhook; the HTTP status, or 0 when the connection failed (a dead node). */
export function postWebhook(agent: http.Agent, base: string, path: string, webhook: { rawBody: string; signature: string }): Promise<number> {
  const url = new URL(base + path);
  return new Promise((resolve) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(webhook.rawBody), "x-hub-signature-256": webhook.signature },
    }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", () => resolve(0));
    });
    req.on("error", () => resolve(0));
    req.end(webhook.rawBody);
  });
}

export type NodeProcess = { url: string; process: ChildProcess; kill(): void; stop(): Promise<void> };

/**
 * Starts bench/webhooks/platform-node.ts with `env`; resolves when its gateway listens. Two minutes
 * by default: on a machine as busy as a CI run, importing the platform alone took 30 s of wall time.
 */
export function startNodeProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<NodeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "bp-node-"));
  const child = spawn(process.execPath, [new URL("./platform-node.ts", import.meta.url).pathname], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, NODE_ENV: "test", DEMO: "false", LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => {
    rmSync(dataDir, { recursive: true, force: true });
    resolve();
  }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("the node process did not start in time"));
    }, timeoutMs);
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      out += chunk;
      const ready = /^READY (\S+)$/m.exec(out);
      if (!ready) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      resolve({
        url: ready[1],
        process: child,
        kill: () => child.kill("SIGKILL"),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the node process exited before it was ready (${code ?? signal})`));
    });
  });
}

export type BurstOptions = {
  databaseUrl?: string;
  natsUrl: string;
  redisUrl?: string;
  messages?: number;
  /** Webhooks per second, sent open loop (on schedule, whether or not earlier ones were answered). */
  ratePerSecond?: number;
  /** How long to wait for every reply after the last webhook was acknowledged. */
  settleTimeoutMs?: number;
};

export type BurstResult = {
  messages: number;
  /** Webhooks answered 200 on the first try, and after Meta-style retries. */
  acknowledgedFirstTry: number;
  acknowledgedAfterRetry: number;
  unacknowledged: number;
  /** Attempts that failed (connection reset by the killed node, or a non-200). */
  failedAttempts: number;
  /** How many webhooks each node acknowledged. */
  acknowledgedBy: Record<string, number>;
  /** Message ids whose turn ran a number of times other than one, with that number. */
  turnsNotOnce: Record<string, number>;
  /** Message ids whose reply reached the Graph API a number of times other than one. */
  repliesNotOnce: Record<string, number>;
  /**
   * Doubled replies the platform could not have avoided: a copy the Graph API accepted but that the
   * ledger never recorded, because its node died between Meta's answer and the record (the Cloud
   * API takes no idempotency key, so a send cut off there is sent again).
   */
  doubledOnTheWire: number;
  ledgerNotProcessed: number;
  /** Starting the nodes and the bot, before the first webhook. */
  setupSeconds: number;
  /** From the first webhook until the Graph API had every reply. */
  seconds: number;
  /** From the kill until the Graph API had every reply. */
  recoverySeconds: number;
  /** Replies the Graph API received in each second of the run. */
  repliesPerSecond: number[];
  killedAtMessage: number;
  replacementReadyAtMessage: number | null;
};

/**
 * Runs the scenario on a fresh database (or `databaseUrl`'s): node A in this process, node B in a
 * child process killed with SIGKILL once half the webhooks are out, node C started in its place.
 */
export async function runRestartBurst(options: BurstOptions): Promise<BurstResult> {
  const count = options.messages ?? 1000;
  const rate = options.ratePerSecond ?? 500;
  const graph = await startFakeGraphApi();
  const namespace = uniqueName("burst");
  const shared: Record<string, string> = {
    NAMESPACE: namespace, TRANSPORTER: options.natsUrl, SECRETS_KEY: randomBytes(32).toString("base64"), PLATFORM_ADMIN_KEY: TEST_OPERATOR_KEY,
    WHATSAPP_GRAPH_URL: graph.base, WHATSAPP_SEND_PER_SECOND: "1000",
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl, REDIS_PREFIX: `${uniqueName("bp")}:` } : {}),
  };
  let a: TestPlatform | undefined;
  let b: NodeProcess | undefined;
  let c: NodeProcess | undefined;
  let db: pg.Client | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const setupStarted = performance.now();
  try {
    a = await startTestPlatform({ backend: "postgres", databaseUrl: options.databaseUrl, transporter: options.natsUrl, env: { ...shared, NODE_ID: `${namespace}-a` }, pluginFolders: ["plugins", "channels"] });
    const databaseUrl = a.platform.context.config.DATABASE_URL!;
    // Node B starts in its own process while node A sets the bot up.
    const starting = startNodeProcess({ ...shared, DATABASE_URL: databaseUrl, NODE_ID: `${namespace}-b` });
    starting.catch(() => {});

    const tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Burst", tier: "paid" } })).body;
    await a.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 1000 } } });
    const bot = await a.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Echo", flow: echoFlow } });
    if (bot.status !== 201) throw new Error(`bot: ${bot.text}`);
    const botId: string = bot.body.id;
    const put = await a.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: tenant.keys.admin, body: { phoneNumberId: PHONE_ID, ...waSecrets } });
    if (put.status !== 200) throw new Error(`channel: ${put.text}`);

    // Every sender already talks to the bot, so each burst message is an answer: one inbound history
    // entry holding the message id, and one reply naming it.
    const senders = Array.from({ length: count }, (_, i) => `1555${String(i).padStart(7, "0")}`);
    // One session is started by a real turn; the others are copies of it (the setup, not the subject).
    const first = await a.platform.broker.call<{ sessionId: string }, object>("channelConfig.turn", { tenantId: tenant.id, botId, channel: "whatsapp", userId: `whatsapp:${senders[0]}` });
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(
      `insert into conversation_session (id, tenant_id, bot_id, user_id, channel, flow_version, status, variables, position, revision, created_at, updated_at)
       select gen_random_uuid(), s.tenant_id, s.bot_id, 'whatsapp:' || u, s.channel, s.flow_version, s.status, s.variables, s.position, s.revision, s.created_at, s.updated_at
       from conversation_session s, unnest($2::text[]) as u where s.id = $1`,
      [first.sessionId, senders.slice(1)],
    );
    b = await starting;
    await a.platform.broker.waitForServices(["channelConfig"]);
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    const path = `/v1/channels/whatsapp/${botId}/webhook`;
    const live: { name: string; url: string }[] = [{ name: "a", url: a.url }, { name: "b", url: b.url }];
    const acknowledgedBy: Record<string, number> = {};
    let next = 0;
    let failedAttempts = 0;
    let firstTry = 0;
    let afterRetry = 0;
    let unacknowledged = 0;
    let killedAt = -1;
    let killedTime = 0;
    let replacementAt: number | null = null;
    const killAt = Math.floor(count / 2);

    const deliverOne = async (i: number) => {
      const webhook = signedTextWebhook(senders[i], `wamid.burst.${i}`, `wamid.burst.${i}`);
      for (let attempt = 1; attempt <= 30; attempt++) {
        const node = live[(next++) % live.length];
        const status = await postWebhook(agent, node.url, path, webhook);
        if (status === 200) {
          acknowledgedBy[node.name] = (acknowledgedBy[node.name] ?? 0) + 1;
          if (attempt === 1) firstTry++;
          else afterRetry++;
          return;
        }
        failedAttempts++;
        // Meta retries an unacknowledged webhook later; sooner here, to keep the run short.
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
      unacknowledged++;
    };

    const started = performance.now();
    const timeline: number[] = [];
    const sampler = setInterval(() => timeline.push(graph.sends.length), 1000);
    const inFlight: Promise<void>[] = [];
    let replacement: Promise<void> | undefined;
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (i === killAt) {
        b.kill();
        killedAt = i;
        killedTime = performance.now();
        live.splice(live.findIndex((n) => n.name === "b"), 1);
        replacement = startNodeProcess({ ...shared, DATABASE_URL: databaseUrl, NODE_ID: `${namespace}-c` }).then((node) => {
          c = node;
          replacementAt = next;
          live.push({ name: "c", url: node.url });
        });
      }
      inFlight.push(deliverOne(i));
    }
    await Promise.all(inFlight);
    await replacement;

    // Every acknowledged message must be answered; wait for the replies, then a moment for doubles.
    const expected = count - unacknowledged;
    await graph.waitForSends(expected, options.settleTimeoutMs ?? 60_000).catch(() => {});
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const recoverySeconds = (performance.now() - killedTime) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const turns = new Map<string, number>();
    const history = await db.query<{ text: string; n: number }>(
      `select m.message->>'text' as text, count(*)::int as n from conversation_message m join conversation_session s on s.id = m.session_id
       where s.bot_id = $1 and m.direction = 'inbound' group by 1`, [botId],
    );
    for (const row of history.rows) turns.set(row.text, row.n);
    const ledger = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from channel_message where bot_id = $1 and direction = 'inbound' group by 1`, [botId]);
    const recorded = new Set((await db.query<{ id: string }>(`select vendor_message_id as id from channel_message where bot_id = $1 and direction = 'outbound'`, [botId])).rows.map((r) => r.id));

    const replies = new Map<string, number>();
    let doubledOnTheWire = 0;
    const byRecipient = new Map<string, string[]>();
    for (const [index, send] of graph.sends.entries()) {
      const text = String(send.body.text?.body ?? "").replace(/^Got /, "");
      replies.set(text, (replies.get(text) ?? 0) + 1);
      const wamid = `wamid.fake${index + 1}`; // the fake numbers the messages it accepts in order
      byRecipient.set(text, [...(byRecipient.get(text) ?? []), wamid]);
    }
    // A copy is explained when the ledger never recorded it: its node died between Meta's answer and the record.
    for (const wamids of byRecipient.values()) doubledOnTheWire += Math.min(wamids.length - 1, wamids.filter((w) => !recorded.has(w)).length);
    const turnsNotOnce: Record<string, number> = {};
    const repliesNotOnce: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const id = `wamid.burst.${i}`;
      if ((turns.get(id) ?? 0) !== 1) turnsNotOnce[id] = turns.get(id) ?? 0;
      if ((replies.get(id) ?? 0) !== 1) repliesNotOnce[id] = replies.get(id) ?? 0;
    }
    return {
      messages: count, acknowledgedFirstTry: firstTry, acknowledgedAfterRetry: afterRetry, unacknowledged, failedAttempts, acknowledgedBy,
      turnsNotOnce, repliesNotOnce, doubledOnTheWire,
      ledgerNotProcessed: ledger.rows.filter((r) => r.status !== "processed").reduce((sum, r) => sum + r.n, 0) + Math.max(0, count - ledger.rows.reduce((sum, r) => sum + r.n, 0)),
      setupSeconds, seconds, recoverySeconds, repliesPerSecond: timeline.map((n, i) => n - (timeline[i - 1] ?? 0)), killedAtMessage: killedAt, replacementReadyAtMessage: replacementAt,
    };
  } finally {
    agent.destroy();
    await db?.end();
    b?.kill();
    await c?.stop();
    await a?.cleanup();
    await graph.close();
    await deleteStream(options.natsUrl, `${namespace}_channels_inbound`);
  }
}

/** Each run's namespace gets its own JetStream stream; it is dropped with the run. */
export async function deleteStream(natsUrl: string, name: string): Promise<void> {
  const nc = await connect({ servers: new URL(natsUrl).host });
  try {
    await (await nc.jetstreamManager()).streams.delete(name);
  } catch {
    // Never created (the run failed early): nothing to drop.
  } finally {
    await nc.close();
  }
}
