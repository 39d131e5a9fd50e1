import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { after, before, describe, it } from "mocha";
import { validateFlow } from "../../core/engine/flow/flow-validator.ts";
import { isSeedFlow, normaliseFlow, seedFlowToFlow } from "../../core/engine/flow/import/seed-flow.ts";
import { seedTemplate } from "../../core/engine/flow/import/seed-scopes.ts";
import { createNodeTypeRegistry } from "../../core/engine/flow/node-type-registry.ts";
import { safeFetch } from "../../core/kernel/net/safe-fetch.ts";
import { createTestEngine } from "../../core/testing/flow-kit.ts";
import coreNodes from "../../plugins/core-nodes/index.ts";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";

type SeedNode = { id: string; type: string; content?: Record<string, unknown>; connections?: Record<string, string> };
const seed = JSON.parse(readFileSync(new URL("../../../shared/seed-flow-examples.json", import.meta.url), "utf8")) as { nodes: SeedNode[] };
const example = (id: string, type?: string): SeedNode => structuredClone(seed.nodes.find((n) => n.id === id && (type === undefined || n.type === type))!);
const registry = createNodeTypeRegistry([coreNodes]);
const say = (id: string, text: string, next?: string): SeedNode => ({ id, type: "message", content: { messages: [{ type: "text", content: text }] }, ...(next ? { connections: { default: next } } : {}) });
const texts = (reply: { messages: { type: string }[] }) => reply.messages.map((m) => ("text" in m ? m.text : m.type));

/** The seed's welcome, name question and age check, verbatim, joined by seed-style nodes of our own. */
const conversation = {
  nodes: [
    example("welcome_msg"),
    example("ask_name"),
    say("greet_user", "Nice to meet you, {user_name}!", "ask_age"),
    { id: "ask_age", type: "question", content: { question: "How old are you, {user_name}?", input_type: "number", variable: "user.age" }, connections: { default: "check_age" } },
    example("check_age"),
    say("teen_content", "Here are books for teens, {user_name}."),
    say("adult_content", "Here are books for adults."),
    say("child_content", "Here are picture books."),
  ],
};

describe("the seed's flow format", () => {
  it("converts every node of the seed's examples to a node that validates, its pattern intact", () => {
    const targets = ["ask_name", "greet_user", "teen_content", "adult_content", "child_content", "show_recommendations", "error_handler", "show_books", "fallback_recommendations", "recommendation_fallback", "next_step"];
    for (const node of seed.nodes) {
      const flow = seedFlowToFlow({ nodes: [node, ...targets.filter((id) => id !== node.id).map((id) => say(id, "ok"))] });
      const problems = validateFlow(flow, registry).filter((p) => !p.problem.includes("no path from the start"));
      assert.deepEqual(problems, [], `${node.id} (${node.type}): ${JSON.stringify(problems)}`);
    }
    const askName = seedFlowToFlow({ nodes: [example("ask_name"), say("greet_user", "hi")] }).nodes[0]!;
    assert.equal((askName.content.validation as { pattern: string }).pattern, "^[a-zA-Z\\s]{2,50}$");
    assert.equal(askName.content.variable, "session.user_name");
  });

  it("turns single braces into our templates, unscoped names into session.*, and leaves other braces alone", () => {
    assert.equal(seedTemplate("/api/users/{user.id}/preferences"), "/api/users/{{user.id}}/preferences");
    assert.equal(seedTemplate("Bearer {secret:wriveted_api_token}"), "Bearer {{secret:wriveted_api_token}}");
    assert.equal(seedTemplate("{book_preferences} and {{variables.quiz_score}} and {{user.name}}"), "{{session.book_preferences}} and {{session.quiz_score}} and {{user.name}}");
    assert.equal(seedTemplate("2 to {2,50} letters, { \"a\": 1 }"), "2 to {2,50} letters, { \"a\": 1 }");
  });

  it("maps the condition shorthand to JSON-Logic", () => {
    const flow = seedFlowToFlow({ nodes: [example("check_age"), say("teen_content", "t"), say("adult_content", "a"), say("child_content", "c")] });
    assert.deepEqual(flow.nodes[0]!.content.conditions, [
      { if: { and: [{ ">=": [{ var: "user.age" }, 13] }, { "<": [{ var: "user.age" }, 18] }] }, then: "teen_content" },
      { if: { ">=": [{ var: "user.age" }, 18] }, then: "adult_content" },
    ]);
  });

  it("asks the name, re-asks a name the pattern refuses, greets with {user_name} and branches on the age", async () => {
    const flow = normaliseFlow(conversation);
    assert.deepEqual(validateFlow(flow, registry), []);
    const { engine } = createTestEngine({ modules: [coreNodes], flow });
    const { session, reply } = await engine.startSession({ tenantId: "acme", botId: "seed", flow, flowVersion: "1", channel: "web" });
    assert.deepEqual(texts(reply), ["Welcome to Bookbot! 📚", "image", "What's your name?"]);
    assert.equal((reply.messages[0] as { delayMs?: number }).delayMs, 1500);
    assert.deepEqual(texts(await engine.handleMessage({ tenantId: "acme", sessionId: session.id, text: "R2-D2" })), ["Please enter a valid name"]);
    assert.deepEqual(texts(await engine.handleMessage({ tenantId: "acme", sessionId: session.id, text: "Matilda" })), ["Nice to meet you, Matilda!", "How old are you, Matilda?"]);
    assert.deepEqual(texts(await engine.handleMessage({ tenantId: "acme", sessionId: session.id, text: "15" })), ["Here are books for teens, Matilda."]);
    const stored = await engine.getSession("acme", session.id);
    assert.equal((stored.variables.session as Record<string, unknown>).user_name, "Matilda");

    for (const [age, answer] of [["9", "Here are picture books."], ["40", "Here are books for adults."]] as const) {
      const other = await engine.startSession({ tenantId: "acme", botId: "seed", flow, flowVersion: "1", channel: "web" });
      await engine.handleMessage({ tenantId: "acme", sessionId: other.session.id, text: "Danny" });
      assert.deepEqual(texts(await engine.handleMessage({ tenantId: "acme", sessionId: other.session.id, text: age })), [answer]);
    }
  });

  it("runs the seed's composite verbatim: its outputs are left unset and it goes on by `complete`", async () => {
    const flow = normaliseFlow({ nodes: [example("reading_profiler"), say("next_step", "Profile done.")] });
    assert.deepEqual(validateFlow(flow, registry), []);
    const { engine } = createTestEngine({ modules: [coreNodes], flow });
    const { reply } = await engine.startSession({ tenantId: "acme", botId: "seed", flow, flowVersion: "1", channel: "web" });
    assert.deepEqual(texts(reply), ["Profile done."]);
  });

  it("leaves flows in our own format exactly as they are", () => {
    assert.equal(isSeedFlow(exampleFlow), false);
    assert.equal(normaliseFlow(exampleFlow), exampleFlow);
    const ours = seedFlowToFlow(conversation);
    assert.equal(isSeedFlow(ours), false);
    assert.deepEqual(normaliseFlow(ours), ours);
    assert.deepEqual(seedFlowToFlow(ours), ours, "converting our own format again changes nothing");
    const namesThatLookLikeTheSeeds = {
      start: "ask",
      nodes: [
        { id: "ask", type: "question", content: { question: "Done?", input_type: "choice", variable: "user.state", choices: [{ label: "Yes", value: "complete" }, { label: "No", value: "failure" }] }, connections: { complete: "save", failure: "ask", default: "save" } },
        { id: "save", type: "crm", content: { operation: "upsert_contact" }, connections: { success: "bye", error: "bye" } },
        { id: "bye", type: "end", content: {}, connections: {} },
      ],
    };
    assert.equal(isSeedFlow(namesThatLookLikeTheSeeds), false, "choice values and a plugin's `success` are not the seed's connection names");
    assert.deepEqual(seedFlowToFlow(namesThatLookLikeTheSeeds), namesThatLookLikeTheSeeds);
  });
});

describe("the seed's api_call action", () => {
  let server: http.Server;
  let base: string;
  const seen: { url: string; body: string; headers: http.IncomingHttpHeaders }[] = [];
  let answer: { status: number; body: unknown } = { status: 500, body: {} };

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => { body += chunk; });
      req.on("end", () => {
        seen.push({ url: req.url!, body, headers: req.headers });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

  function setup(flow: unknown, tenantId: string) {
    const { engine } = createTestEngine({
      modules: [coreNodes],
      flow,
      fetch: (url, init) => safeFetch(url, init, { allowPrivateNetworks: true }),
      resolveSecret: async (_tenant, name) => (name === "api_base_url" ? base : undefined),
    });
    return async () => {
      const started = await engine.startSession({ tenantId, botId: "seed", flow, flowVersion: "1", channel: "web" });
      return { texts: texts(started.reply), session: await engine.getSession(tenantId, started.session.id) };
    };
  }

  const recommendations = () => normaliseFlow({
    nodes: [
      { id: "pick", type: "action", content: { actions: [{ type: "set_variable", variable: "user.id", value: "user-123" }, { type: "set_variable", variable: "temp.selected_genres", value: ["mystery"] }] }, connections: { success: "get_recommendations" } },
      example("get_recommendations", "action"),
      say("show_recommendations", "We found {recommendation_count} books: {recommendations}."),
      say("recommendation_fallback", "Our picks are resting ({recommendation_count} found)."),
    ],
  });

  it("maps the answer and follows success when the API answers", async () => {
    answer = { status: 200, body: { recommendations: ["Holes"], count: 1 } };
    seen.length = 0;
    const run = setup(recommendations(), "tenant-answers");
    const { texts: said } = await run();
    assert.deepEqual(said, ["We found 1 books: [\"Holes\"]."]);
    assert.equal(seen[0]!.url, "/api/recommendations");
    assert.deepEqual(JSON.parse(seen[0]!.body), { user_id: "user-123", preferences: { genres: ["mystery"] }, limit: 5 });
  });

  it("returns the fallback values, without calling, once the shared breaker is open", async () => {
    answer = { status: 503, body: { error: "down" } };
    seen.length = 0;
    const run = setup(recommendations(), "tenant-breaker");
    for (let i = 0; i < 3; i++) {
      const { texts: said, session } = await run();
      assert.deepEqual(said, ["Our picks are resting (0 found)."]);
      assert.deepEqual((session.variables.session as Record<string, unknown>).recommendations, []);
    }
    assert.equal(seen.length, 3, "three failures open the circuit (failure_threshold: 3)");
    answer = { status: 200, body: { recommendations: ["Holes"], count: 1 } };
    const { texts: said, session } = await run();
    assert.deepEqual(said, ["Our picks are resting (0 found)."]);
    assert.equal(seen.length, 3, "the open circuit refused the call");
    assert.equal((session.variables.session as Record<string, unknown>).recommendation_count, 0);
  });

  it("sends save_preferences verbatim to the tenant's API, and follows error when it fails", async () => {
    const flow = normaliseFlow({
      nodes: [
        { id: "prepare", type: "action", content: { actions: [{ type: "set_variable", variable: "user.id", value: "user-123" }, { type: "set_variable", variable: "book_preferences", value: ["adventure", "mystery"] }, { type: "set_variable", variable: "reading_level", value: "intermediate" }] }, connections: { success: "save_preferences" } },
        example("save_preferences"),
        say("show_recommendations", "Saved: {profile.completed}."),
        say("error_handler", "Could not save."),
      ],
    });
    assert.deepEqual(validateFlow(flow, registry), []);
    answer = { status: 200, body: {} };
    seen.length = 0;
    assert.deepEqual((await setup(flow, "tenant-save")()).texts, ["Saved: true."]);
    assert.equal(seen[0]!.url, "/api/users/user-123/preferences");
    assert.deepEqual(JSON.parse(seen[0]!.body), { genres: ["adventure", "mystery"], reading_level: "intermediate" });
    answer = { status: 400, body: {} };
    assert.deepEqual((await setup(flow, "tenant-save")()).texts, ["Could not save."]);
  });

  it("runs the seed's webhook node with its secret header and JSONPath mapping", async () => {
    const webhook = example("get_recommendations", "webhook");
    webhook.content!.url = `${base}/recommendations`; // the seed's host is not reachable from a test
    const flow = normaliseFlow({ nodes: [webhook, say("show_books", "{count} books: {recommendations}"), say("fallback_recommendations", "none")] });
    assert.deepEqual(validateFlow(flow, registry), []);
    answer = { status: 200, body: { data: { books: ["Matilda"], total: 1 } } };
    seen.length = 0;
    const { engine } = createTestEngine({
      modules: [coreNodes], flow,
      fetch: (url, init) => safeFetch(url, init, { allowPrivateNetworks: true }),
      resolveSecret: async (_tenant, name) => (name === "wriveted_api_token" ? "tok-1" : undefined),
    });
    const { reply } = await engine.startSession({ tenantId: "tenant-hook", botId: "seed", flow, flowVersion: "1", channel: "web" });
    assert.deepEqual(texts(reply), ["1 books: [\"Matilda\"]"]);
    assert.equal(seen[0]!.headers.authorization, "Bearer tok-1");
  });
});
