import assert from "node:assert/strict";
import { analyticsTables } from "../../core/modules/analytics/0022-analytics.migration.ts";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { eventually } from "../kit/eventually.ts";

type Keys = { id: string; keys: { admin: string; widget: string } };

/**
 * hello → ask_name → tag → ask_email → menu → (done) bye | (human) agent. `tag` stands in for the
 * intent and sentiment classifier: it sets temp.intent and temp.sentiment on the turn answering ask_name.
 */
const flow = {
  start: "hello",
  nodes: [
    { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Welcome!" }] }, connections: { default: "ask_name" } },
    { id: "ask_name", type: "question", content: { question: "Your name?", input_type: "text", variable: "user.name" }, connections: { default: "tag" } },
    { id: "tag", type: "action", content: { actions: [{ op: "set", variable: "temp.intent", value: "give_name" }, { op: "set", variable: "temp.sentiment", value: 0.5 }] }, connections: { default: "ask_email" } },
    { id: "ask_email", type: "question", content: { question: "Your email?", input_type: "email", variable: "user.email" }, connections: { default: "menu" } },
    {
      id: "menu", type: "question",
      content: { question: "Anything else?", input_type: "choice", variable: "session.choice", choices: [{ label: "Done", value: "done" }, { label: "A human", value: "human" }] },
      connections: { default: "bye", done: "bye", human: "agent" },
    },
    { id: "bye", type: "end", content: { message: "Bye {{user.name}}" } },
    { id: "agent", type: "handoff", content: { message: "A person will answer", reason: "asked" } },
  ],
};

for (const backend of databaseBackends()) {
  describe(`analytics: a known set of conversations counted exactly (${backend})`, function () {
    this.timeout(120_000);
    let node: TestPlatform;
    let acme: Keys;
    let globex: Keys;
    let botId: string;
    let globexBotId: string;
    let messagesOut = 0;
    const today = new Date().toISOString().slice(0, 10);

    const start = async (key: string, bot: string) => {
      const started = await node.request("POST", "/v1/chat/sessions", { key, body: { botId: bot } });
      assert.equal(started.status, 201, started.text);
      messagesOut += started.body.messages.length;
      return started.body.sessionId as string;
    };
    const say = async (sessionId: string, body: Record<string, unknown>, key = acme.keys.widget) => {
      const sent = await node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key, body });
      assert.equal(sent.status, 200, sent.text);
      messagesOut += sent.body.messages.length;
      return sent.body;
    };
    const get = (path: string, key = acme.keys.admin, headers: Record<string, string> = {}) => node.request("GET", `/v1/admin/bots/${botId}/analytics${path}`, { key, headers });

    before(async () => {
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"], env: { ANALYTICS_FLUSH_MS: "50", ALLOW_PRIVATE_NETWORKS: "true" } });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex", tier: "paid" } })).body;
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Signup", flow } });
      assert.equal(bot.status, 201, bot.text);
      botId = bot.body.id;
      globexBotId = (await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Signup", flow } })).body.id;

      // Three complete (one after a wrong email), two are left waiting at ask_email until their TTL
      // passes, one is ended by the user at ask_name, one asks for a human.
      for (const wrongFirst of [false, false, true]) {
        const id = await start(acme.keys.widget, botId);
        await say(id, { text: "Ada" });
        if (wrongFirst) await say(id, { text: "not an email" });
        await say(id, { text: "ada@example.com" });
        assert.equal((await say(id, { choice: "done" })).status, "ended");
      }
      const expiring: string[] = [];
      for (let i = 0; i < 2; i++) {
        const id = await start(acme.keys.widget, botId);
        await say(id, { text: "Bob" });
        expiring.push(id);
      }
      const leaving = await start(acme.keys.widget, botId);
      assert.equal((await node.request("POST", `/v1/chat/sessions/${leaving}/end`, { key: acme.keys.widget })).status, 200);
      const human = await start(acme.keys.widget, botId);
      await say(human, { text: "Cy" });
      await say(human, { text: "cy@example.com" });
      assert.equal((await say(human, { choice: "human" })).status, "waiting_human");
      // Another tenant's conversation, which must never show in Acme's figures.
      const other = await start(globex.keys.widget, globexBotId);
      await say(other, { text: "Eve" }, globex.keys.widget);

      // The TTL passes for the two waiting sessions only; the sweeper ends them now.
      const connection = node.platform.context.db.orm.em.fork().getConnection();
      await connection.execute(`update conversation_session set updated_at = now() - interval '400 days' where id in (?, ?)`, expiring);
      await node.platform.broker.call("conversations.sweep");
      await node.platform.broker.call("analytics.flush");
    });
    after(async () => {
      await node?.cleanup();
    });

    it("counts sessions started, completed, abandoned (TTL and ended by the user) and handed off, messages, completion rate and median turns", async () => {
      const summary = await eventually(async () => (await get("")).body, (s) => s?.sessions?.abandoned === 3);
      assert.deepEqual(summary.sessions, { started: 7, completed: 3, abandoned: 3, handedOff: 1 });
      // In: 3 × 3 answers + 1 wrong email, 2 names, 3 answers of the handed-off session.
      assert.deepEqual(summary.messages, { in: 15, out: messagesOut - 2 /* Globex's greeting and question */ - 1 /* Globex's next question */ });
      assert.equal(summary.completionRate, 0.4286);
      // Turns of the ended sessions: 3, 3, 4 (completed), 1, 1 (expired), 0 (ended at once): median (1 + 3) / 2.
      assert.equal(summary.medianTurns, 2);
      assert.equal(summary.tokens, 0);
      assert.equal(summary.costUsd, 0);
      assert.equal(summary.byDay.length, 30);
      assert.deepEqual(summary.byDay.at(-1), { day: today, started: 7, completed: 3, abandoned: 3, handedOff: 1, messagesIn: 15, messagesOut: summary.messages.out, tokens: 0, costUsd: 0 });
      assert.deepEqual(summary.byChannel, [{ channel: "web", started: 7, completed: 3, abandoned: 3, handedOff: 1 }]);
    });

    it("filters by channel and flow version, and answers by hour when asked", async () => {
      assert.equal((await get("?channel=web")).body.sessions.started, 7);
      assert.deepEqual((await get("?channel=whatsapp")).body.sessions, { started: 0, completed: 0, abandoned: 0, handedOff: 0 });
      assert.equal((await get("?version=1")).body.sessions.started, 7);
      assert.equal((await get("?version=2")).body.sessions.started, 0);
      const hourly = (await get(`?from=${today}&to=${today}&interval=hour`)).body;
      assert.equal(hourly.byHour.reduce((sum: number, h: { started: number }) => sum + h.started, 0), 7);
    });

    it("shows per node how many entered, left and dropped off where they were waiting", async () => {
      const { body, status } = await get("/nodes");
      assert.equal(status, 200);
      type NodeRow = { nodeId: string; entered: number; reached: number; left: number; dropOff: number; dropOffRate: number; validationFailures: number; errors: number; medianSecondsToLeave: number | null };
      const byId = Object.fromEntries((body.nodes as NodeRow[]).map((n) => [n.nodeId, n]));
      assert.deepEqual(body.nodes.map((n: { nodeId: string }) => n.nodeId), ["hello", "ask_name", "tag", "ask_email", "menu", "bye", "agent"]);
      const pick = (id: string) => {
        const { entered, reached, left, dropOff, dropOffRate, validationFailures, errors } = byId[id]!;
        return { entered, reached, left, dropOff, dropOffRate, validationFailures, errors };
      };
      assert.deepEqual(pick("hello"), { entered: 7, reached: 7, left: 7, dropOff: 0, dropOffRate: 0, validationFailures: 0, errors: 0 });
      assert.deepEqual(pick("ask_name"), { entered: 7, reached: 7, left: 6, dropOff: 1, dropOffRate: 0.1429, validationFailures: 0, errors: 0 });
      assert.deepEqual(pick("ask_email"), { entered: 6, reached: 6, left: 4, dropOff: 2, dropOffRate: 0.3333, validationFailures: 1, errors: 0 });
      assert.deepEqual(pick("menu"), { entered: 4, reached: 4, left: 4, dropOff: 0, dropOffRate: 0, validationFailures: 0, errors: 0 });
      assert.deepEqual(pick("bye"), { entered: 3, reached: 3, left: 3, dropOff: 0, dropOffRate: 0, validationFailures: 0, errors: 0 });
      assert.deepEqual(pick("agent"), { entered: 1, reached: 1, left: 0, dropOff: 0, dropOffRate: 0, validationFailures: 0, errors: 0 });
      assert.equal(typeof byId.ask_name!.medianSecondsToLeave, "number");
      assert.equal(byId.agent!.medianSecondsToLeave, null);
    });

    it("answers a funnel between any two nodes", async () => {
      const funnel = await get("/funnel?fromNode=ask_name&toNode=menu");
      assert.equal(funnel.status, 200, funnel.text);
      assert.deepEqual({ ...funnel.body, from: undefined, to: undefined }, {
        from: undefined, to: undefined, fromNode: "ask_name", toNode: "menu", reachedFrom: 7, reachedTo: 4, droppedBetween: 3, conversionRate: 0.5714,
      });
      const last = (await get("/funnel?fromNode=menu&toNode=bye")).body;
      assert.deepEqual([last.reachedFrom, last.reachedTo], [4, 3]);
      // The whole month is read from the month rollups: the same figures.
      const month = today.slice(0, 8);
      const monthEnd = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)), 0)).toISOString().slice(0, 10);
      const whole = (await get(`/funnel?fromNode=ask_name&toNode=menu&from=${month}01&to=${monthEnd}`)).body;
      assert.deepEqual([whole.reachedFrom, whole.reachedTo], [7, 4]);
      const nodes = (await get(`/nodes?from=${month}01&to=${monthEnd}`)).body.nodes as { nodeId: string; dropOff: number; validationFailures: number }[];
      assert.deepEqual(nodes.find((n) => n.nodeId === "ask_email"), { ...nodes.find((n) => n.nodeId === "ask_email"), dropOff: 2, validationFailures: 1 });
      // Backwards: nobody reached ask_name after menu.
      assert.equal((await get("/funnel?fromNode=menu&toNode=ask_name")).body.reachedTo, 0);
    });

    it("keeps the intent and sentiment the turn set on its inbound message", async () => {
      // The flow sets give_name and 0.5 on the names; the emails are read by the nlp module: the bot
      // defines no intent, so "none", and an address is neutral, 0.
      const intents = (await get("/intents")).body;
      const row = (list: { intent: string }[], intent: string) => list.find((r) => r.intent === intent);
      assert.deepEqual(row(intents.intents, "give_name"), { intent: "give_name", messages: 6, averageSentiment: 0.5 });
      assert.deepEqual(row(intents.intents, "none"), { intent: "none", messages: 5, averageSentiment: 0 });
      assert.equal(intents.intents.length, 2);
      assert.deepEqual(row(intents.byDay, "give_name"), { day: today, intent: "give_name", messages: 6, averageSentiment: 0.5 });
      const sentiment = (await get("/sentiment")).body;
      const node = (id: string) => sentiment.byNode.find((n: { nodeId: string }) => n.nodeId === id);
      assert.deepEqual(node("ask_name"), { nodeId: "ask_name", averageSentiment: 0.5 });
      assert.deepEqual(node("ask_email"), { nodeId: "ask_email", averageSentiment: 0 });
      assert.equal(sentiment.byDay.length, 1);
      assert.equal(sentiment.byDay[0].messages, 11);
      assert.ok(Math.abs(sentiment.byDay[0].averageSentiment - 3 / 11) < 0.001, JSON.stringify(sentiment.byDay));
    });

    it("exports each view as CSV, by ?format=csv or Accept: text/csv", async () => {
      const days = await get(`?from=${today}&to=${today}&format=csv`);
      assert.equal(days.status, 200);
      assert.match(days.headers.get("content-type") ?? "", /^text\/csv/);
      assert.equal(days.text, `day,started,completed,abandoned,handedOff,messagesIn,messagesOut,tokens,costUsd\r\n${today},7,3,3,1,15,${(await get("")).body.messages.out},0,0\r\n`);
      const nodes = await get("/nodes", acme.keys.admin, { accept: "text/csv" });
      const lines = nodes.text.trim().split("\r\n");
      assert.equal(lines[0], "nodeId,type,entered,reached,left,dropOff,dropOffRate,medianSecondsToLeave,validationFailures,errors,averageSentiment");
      assert.equal(lines.length, 8);
      assert.match(lines.find((l) => l.startsWith("ask_email,"))!, /^ask_email,question,6,6,4,2,0.3333,\d+,1,0,0$/);
      const funnel = await get("/funnel?fromNode=ask_name&toNode=menu&format=csv");
      assert.equal(funnel.text, "fromNode,toNode,reachedFrom,reachedTo,droppedBetween,conversionRate\r\nask_name,menu,7,4,3,0.5714\r\n");
      assert.equal((await get("/intents?format=csv")).text, `day,intent,messages,averageSentiment\r\n${today},give_name,6,0.5\r\n${today},none,5,0\r\n`);
    });

    it("refuses unknown nodes, reversed or over-long ranges and bad dates with a 400 and a code", async () => {
      const cases: [string, string][] = [
        ["/funnel?fromNode=ask_name&toNode=nowhere", "ANALYTICS_UNKNOWN_NODE"],
        ["/funnel?fromNode=menu&toNode=menu", "ANALYTICS_FUNNEL_SAME_NODE"],
        ["?from=2026-06-02&to=2026-06-01", "ANALYTICS_RANGE_REVERSED"],
        ["/nodes?from=2025-01-01&to=2026-06-01", "ANALYTICS_RANGE_TOO_LONG"],
        ["?from=2026-01-01&to=2026-03-01&interval=hour", "ANALYTICS_HOURLY_RANGE_TOO_LONG"],
      ];
      for (const [path, code] of cases) {
        const answer = await get(path);
        assert.equal(answer.status, 400, `${path}: ${answer.text}`);
        assert.equal(answer.body.error.code, code, path);
      }
      const badDate = await get("?from=yesterday");
      assert.equal(badDate.status, 400);
      assert.ok(badDate.body.error.code);
      assert.equal((await get("?version=2")).status, 200);
      assert.equal((await get("/nodes?version=9")).status, 404);
    });

    it("never mixes tenants: another tenant's bot is a 404, and each tenant sees only its own sessions", async () => {
      const foreign = await node.request("GET", `/v1/admin/bots/${globexBotId}/analytics`, { key: acme.keys.admin });
      assert.equal(foreign.status, 404, foreign.text);
      for (const view of ["nodes", "intents", "sentiment", "funnel?fromNode=hello&toNode=bye"]) {
        const answer = await node.request("GET", `/v1/admin/bots/${globexBotId}/analytics/${view}`, { key: acme.keys.admin });
        assert.equal(answer.status, 404, view);
        assert.equal(answer.body.error.code, "BOT_NOT_FOUND", view);
      }
      const own = (await node.request("GET", `/v1/admin/bots/${globexBotId}/analytics`, { key: globex.keys.admin })).body;
      assert.deepEqual(own.sessions, { started: 1, completed: 0, abandoned: 0, handedOff: 0 });
      assert.deepEqual(own.messages, { in: 1, out: 3 });
      if (node.platform.context.db.rowLevelSecurity) {
        const rows = await node.platform.context.db.orm.em.fork().getConnection().execute<{ tablename: string }[]>(
          `select tablename from pg_policies where schemaname = current_schema() and policyname = 'bp_tenant_isolation'`);
        const covered = new Set(rows.map((r) => r.tablename));
        for (const table of analyticsTables) assert.ok(covered.has(table), `${table} has the tenant policy`);
      }
    });

    it("counts a webhook that fails as an error of its node", async () => {
      const hookFlow = {
        start: "hook",
        nodes: [
          { id: "hook", type: "webhook", content: { url: "http://127.0.0.1:9/unreachable", method: "POST", retries: 0 }, connections: { default: "done", error: "done" } },
          { id: "done", type: "end", content: { message: "Done" } },
        ],
      };
      const created = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Hook", flow: hookFlow } });
      assert.equal(created.status, 201, created.text);
      await start(acme.keys.widget, created.body.id);
      await node.platform.broker.call("analytics.flush");
      const nodes = (await node.request("GET", `/v1/admin/bots/${created.body.id}/analytics/nodes`, { key: acme.keys.admin })).body.nodes as { nodeId: string; errors: number; left: number }[];
      assert.deepEqual(nodes.map((n) => [n.nodeId, n.errors, n.left]), [["hook", 1, 1], ["done", 0, 1]]);
      const summary = (await node.request("GET", `/v1/admin/bots/${created.body.id}/analytics`, { key: acme.keys.admin })).body;
      assert.deepEqual(summary.sessions, { started: 1, completed: 1, abandoned: 0, handedOff: 0 });
    });

    it("lets a viewer read analytics", async () => {
      const key = await node.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { key: acme.keys.admin, body: { kind: "admin", role: "viewer" } });
      assert.equal(key.status, 201, key.text);
      const answer = await get("", key.body.key);
      assert.equal(answer.status, 200, answer.text);
    });
  });
}
