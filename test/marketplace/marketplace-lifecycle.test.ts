/**
 * The per-tenant lifecycle of issue 4 that needs a conversation in flight: a turn finishes on the
 * version it started with; upgrades and rollbacks between turns leave a running conversation
 * working; a plugin that crashes, hangs or exceeds its limits fails only its own tenant's call.
 */
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { buildPackage, createIntegrator, quoteFlow, type Integrator } from "./marketplace-kit.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };
const node = (type: string, contentSchema: object = { type: "object" }) => ({ type, description: type, contentSchema, connections: ["default"] });

/** `tag` says which version ran it; `wait` holds the turn until the test's server answers. */
const versionedBundle = (version: string) => `export const nodeTypes = {
  tag: async ({ content }) => ({ messages: [{ type: "text", text: "v${version} " + content.text }] }),
  wait: async ({ config }, ctx) => { await ctx.fetch(config.gate_url + "/gate"); return {}; },
};`;

const hostileBundle = `export const nodeTypes = {
  spin: async () => { for (;;) {} },
  hog: async () => { const keep = []; for (;;) keep.push(new Array(1e6).fill(Math.random())); },
  boom: async () => { throw new Error("the plugin broke"); },
  hang: async ({ config }, ctx) => { await ctx.fetch(config.gate_url + "/never"); return {}; },
};`;

describe("the marketplace lifecycle while conversations run", function () {
  this.timeout(120_000);
  let platform: TestPlatform;
  let integrator: Integrator;
  let acme: Tenant;
  let evil: Tenant;
  let gate: Server;
  let gateUrl: string;
  const held: ServerResponse[] = [];
  let arrived: () => void = () => undefined;

  before(async () => {
    gate = createServer((req, res) => {
      if (req.url === "/gate") { held.push(res); arrived(); return; }
      if (req.url === "/never") return; // never answers: the sandbox's wall-time limit ends the run
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
    gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
    platform = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { MARKETPLACE_EXAMPLES: "false", ALLOW_PRIVATE_NETWORKS: "true" } });
    integrator = await createIntegrator(platform, "Lifecycle Labs");
    acme = (await platform.request("POST", "/v1/admin/tenants", { key: platform.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
    evil = (await platform.request("POST", "/v1/admin/tenants", { key: platform.operatorKey, body: { name: "Evil", tier: "paid" } })).body;
    for (const tenant of [acme, evil]) await platform.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
    const manifest = { configSchema: { type: "object", properties: { gate_url: { type: "string" } } }, nodeTypes: [node("tag", { type: "object", properties: { text: { type: "string" } } }), node("wait")] };
    for (const version of ["1.0.0", "1.1.0"]) {
      const published = await integrator.publish(await buildPackage({ id: "@labs/versioned", version, capabilities: ["http:127.0.0.1"], manifest, bundle: () => versionedBundle(version) }));
      assert.equal(published.status, 201, published.text);
    }
    const hostile = await integrator.publish(await buildPackage({
      id: "@labs/hostile", version: "1.0.0", capabilities: ["http:127.0.0.1"],
      manifest: { configSchema: { type: "object", properties: { gate_url: { type: "string" } } }, nodeTypes: ["spin", "hog", "boom", "hang"].map((t) => node(t)) },
      bundle: () => hostileBundle,
    }));
    assert.equal(hostile.status, 201, hostile.text);
    assert.equal((await integrator.publish(await buildPackage({ id: "@labs/pricing", version: "1.0.0" }))).status, 201);
  });
  after(async () => {
    for (const res of held) res.end();
    await platform?.cleanup();
    gate?.closeAllConnections();
    gate?.close();
  });

  const patch = (tenant: Tenant, plugin: string, body: object) => platform.request("PATCH", `/v1/admin/plugins/${plugin}`, { key: tenant.keys.admin, body });
  const start = async (tenant: Tenant, botId: string) => {
    const started = await platform.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });
    assert.equal(started.status, 201, started.text);
    return started.body as { sessionId: string; messages: { text: string }[] };
  };
  const say = async (tenant: Tenant, sessionId: string, text: string) => {
    const answered = await platform.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: tenant.keys.widget, body: { text } });
    assert.equal(answered.status, 200, answered.text);
    return (answered.body.messages as { text: string }[]).map((m) => m.text);
  };

  it("finishes a turn in flight on the version it started with, and runs the next turn on the upgrade", async () => {
    const installed = await platform.request("POST", "/v1/admin/plugins", { key: acme.keys.admin, body: { plugin: "@labs/versioned", version: "1.0.0", grants: ["http:127.0.0.1"], config: { gate_url: gateUrl } } });
    assert.equal(installed.status, 201, installed.text);
    const flow = {
      start: "ask",
      nodes: [
        { id: "ask", type: "question", content: { question: "Go?", input_type: "text", variable: "session.go" }, connections: { default: "before" } },
        { id: "before", type: "tag", content: { text: "before" }, connections: { default: "wait" } },
        { id: "wait", type: "wait", content: {}, connections: { default: "after" } },
        { id: "after", type: "tag", content: { text: "after" }, connections: { default: "ask" } },
      ],
    };
    const bot = await platform.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Versions", flow } });
    assert.equal(bot.status, 201, bot.text);
    const { sessionId } = await start(acme, bot.body.id);

    // The turn runs `before`, then waits inside the plugin; the upgrade lands meanwhile.
    const reached = new Promise<void>((resolve) => { arrived = resolve; });
    const turn = say(acme, sessionId, "go");
    await reached;
    const upgraded = await patch(acme, "@labs/versioned", { version: "1.1.0" });
    assert.equal(upgraded.status, 200, upgraded.text);
    held.shift()!.writeHead(200).end("open");
    assert.deepEqual(await turn, ["v1.0.0 before", "v1.0.0 after", "Go?"]);

    // The next turn of the same conversation runs the new version, from its first node on.
    const next = new Promise<void>((resolve) => { arrived = resolve; });
    const second = say(acme, sessionId, "again");
    await next;
    held.shift()!.writeHead(200).end("open");
    assert.deepEqual(await second, ["v1.1.0 before", "v1.1.0 after", "Go?"]);
  });

  it("keeps a conversation going through an upgrade and a rollback between its turns, with no error", async () => {
    const flow = {
      start: "q1",
      nodes: [1, 2, 3].flatMap((i) => [
        { id: `q${i}`, type: "question", content: { question: `Question ${i}?`, input_type: "text", variable: `session.a${i}` }, connections: { default: `t${i}` } },
        { id: `t${i}`, type: "tag", content: { text: `step ${i} for {{session.a${i}}}` }, connections: { default: i < 3 ? `q${i + 1}` : "end" } },
      ]).concat([{ id: "end", type: "end", content: {} } as never]),
    };
    assert.equal((await patch(acme, "@labs/versioned", { version: "1.0.0" })).status, 200);
    const bot = await platform.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Steps", flow } });
    assert.equal(bot.status, 201, bot.text);
    const { sessionId } = await start(acme, bot.body.id);
    assert.deepEqual(await say(acme, sessionId, "a"), ["v1.0.0 step 1 for a", "Question 2?"]);
    assert.equal((await patch(acme, "@labs/versioned", { version: "1.1.0" })).body.version, "1.1.0");
    assert.deepEqual(await say(acme, sessionId, "b"), ["v1.1.0 step 2 for b", "Question 3?"]);
    const back = await patch(acme, "@labs/versioned", { version: "1.0.0" });
    assert.equal(back.body.version, "1.0.0");
    assert.equal(back.body.previousVersion, "1.1.0");
    assert.deepEqual(await say(acme, sessionId, "c"), ["v1.0.0 step 3 for c"]);
    const state = await platform.request("GET", `/v1/chat/sessions/${sessionId}`, { key: acme.keys.widget });
    assert.equal(state.body.status, "ended", state.text);
  });

  it("lets a plugin that loops, hogs memory, throws or hangs fail only its own tenant's turn, politely", async () => {
    assert.equal((await platform.request("POST", "/v1/admin/plugins", { key: evil.keys.admin, body: { plugin: "@labs/hostile", grants: ["http:127.0.0.1"], config: { gate_url: gateUrl } } })).status, 201);
    assert.equal((await platform.request("POST", "/v1/admin/plugins", { key: acme.keys.admin, body: { plugin: "@labs/pricing", grants: ["kv"], config: { currency: "EUR" } } })).status, 201);
    const quotes = await platform.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Shop", flow: quoteFlow() } });
    assert.equal(quotes.status, 201, quotes.text);
    const hostileBots: Record<string, string> = {};
    for (const type of ["spin", "hog", "boom", "hang"]) {
      const flow = { start: "ask", nodes: [
        { id: "ask", type: "question", content: { question: "Ready?", input_type: "text", variable: "session.ready" }, connections: { default: "bad" } },
        { id: "bad", type, content: {}, connections: { default: "end" } },
        { id: "end", type: "end", content: {} },
      ] };
      const bot = await platform.request("POST", "/v1/admin/bots", { key: evil.keys.admin, body: { name: type, flow } });
      assert.equal(bot.status, 201, bot.text);
      hostileBots[type] = bot.body.id;
    }
    const quote = async () => {
      const { sessionId } = await start(acme, quotes.body.id);
      return say(acme, sessionId, "2");
    };
    const attack = async (type: string) => {
      const { sessionId } = await start(evil, hostileBots[type]!);
      const started = performance.now();
      const texts = await say(evil, sessionId, "yes");
      return { type, texts, ms: performance.now() - started };
    };

    // Acme's quotes run while Evil's plugin misbehaves, on the same node and sandbox.
    const [attacks, acmeTurns] = await Promise.all([
      (async () => {
        // One after another, so each failure is its own (a limit replaces the tenant's isolate, and
        // Evil's other runs in flight at that moment would fail with SANDBOX_ISOLATE_RESET instead).
        const all = [];
        for (const type of ["spin", "hog", "boom", "hang"]) all.push(await attack(type));
        return all;
      })(),
      (async () => {
        const all: string[][] = [];
        for (let i = 0; i < 6; i++) all.push(await quote());
        return all;
      })(),
    ]);
    for (const { type, texts } of attacks) {
      assert.equal(texts.length, 1, `${type}: ${texts.join(" | ")}`);
      assert.match(texts[0]!, /^Sorry, something went wrong on our side/, `${type}: ${texts[0]}`);
      assert.ok(!/SANDBOX|isolate|stack|at .*\.ts/.test(texts[0]!), texts[0]);
    }
    for (const texts of acmeTurns) assert.ok(texts.some((t) => t.includes("20.00 EUR")), texts.join(" | "));
    // The sandbox recorded the failures against Evil only.
    const stats = await platform.platform.broker.call<Record<string, { failures?: Record<string, number> }>, object>("sandbox.stats", {});
    // The hang ends at the run's wall-time limit: as SANDBOX_TIMEOUT, or as SANDBOX_THREW when the
    // fetch's own deadline (cut to the run's) fires first and the plugin does not catch it.
    const evilFailures = stats[evil.id]?.failures ?? {};
    for (const code of ["SANDBOX_CPU_LIMIT", "SANDBOX_THREW"]) assert.ok(evilFailures[code], `${code}: ${JSON.stringify(stats[evil.id])}`);
    assert.equal(Object.values(evilFailures).reduce((sum, n) => sum + n, 0), 4, JSON.stringify(stats[evil.id]));
    assert.deepEqual(stats[acme.id]?.failures ?? {}, {});
    assert.ok(await quote().then((texts) => texts.some((t) => t.includes("20.00 EUR"))));
  });
});
